// Shapes shared by several routes' schemas (and so by the OpenAPI document).
import { Type } from 'typebox';
import { protocol as terminalProtocol } from '../../terminal/index.ts';

import { ErrorReply } from '../../core/index.ts';

export { ErrorReply };

export const JurisdictionT = Type.Object(
  { level: Type.Union([Type.Literal('province'), Type.Literal('city'), Type.Literal('site')]), code: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const RoleT = Type.Union([Type.Literal('admin'), Type.Literal('invigilator'), Type.Literal('inspector'), Type.Literal('headteacher')]);

export const PublicUserT = Type.Object({
  username: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: RoleT,
  rooms: Type.Array(Type.String()),
  jurisdiction: Type.Union([JurisdictionT, Type.Null()]),
  disabled: Type.Boolean(),
  lockedUntil: Type.Union([Type.Integer(), Type.Null()]),
});

export const DeviceKindT = terminalProtocol.DeviceKindT;

// The admin console reads these shapes too: they live in terminal/protocol.ts beside the health report.
export const DeviceViewT = terminalProtocol.DeviceViewT;
export const PairingViewT = terminalProtocol.PairingViewT;

export const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
