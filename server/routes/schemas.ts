// Shapes shared by several routes' schemas (and so by the OpenAPI document).
import { Type } from 'typebox';
import { protocol as terminalProtocol } from '../../terminal/index.ts';

import { ErrorReply } from '../../core/index.ts';

export { ErrorReply };

export const JurisdictionT = Type.Object(
  { level: Type.Union([Type.Literal('province'), Type.Literal('city'), Type.Literal('site')]), code: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const RoleT = Type.Union([Type.Literal('admin'), Type.Literal('invigilator'), Type.Literal('inspector')]);

export const PublicUserT = Type.Object({
  username: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: RoleT,
  rooms: Type.Array(Type.String()),
  jurisdiction: Type.Union([JurisdictionT, Type.Null()]),
  disabled: Type.Boolean(),
  lockedUntil: Type.Union([Type.Integer(), Type.Null()]),
});

export const DeviceKindT = Type.Union([Type.Literal('kiosk'), Type.Literal('terminal')]);

export const DeviceViewT = Type.Object({
  id: Type.String(),
  kind: DeviceKindT,
  configured: Type.Boolean(),
  room: Type.Union([Type.String(), Type.Null()]),
  seat: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('unpaired'), Type.Literal('paired'), Type.Literal('revoked')]),
  pairedAt: Type.Union([Type.Integer(), Type.Null()]),
  approvedBy: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.Integer(), Type.Null()]),
  lastSeenAt: Type.Union([Type.Integer(), Type.Null()]),
  lastIp: Type.Union([Type.String(), Type.Null()]),
  health: Type.Union([terminalProtocol.DeviceHealthT, Type.Null()]),
});

export const PairingViewT = Type.Object({
  id: Type.String(),
  kind: DeviceKindT,
  code: Type.String(),
  claimedId: Type.Union([Type.String(), Type.Null()]),
  requestedAt: Type.Integer(),
  expiresAt: Type.Integer(),
  ip: Type.Union([Type.String(), Type.Null()]),
});

export const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
