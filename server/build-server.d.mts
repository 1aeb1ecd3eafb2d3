// Types for server/build-server.mjs (plain JavaScript, so the launcher runs it without tsx).
export declare const ROOT: string;
export declare function buildRoot(root?: string): string;
export type ServerBuildState = { fresh: true; dir: string; id: string } | { fresh: false; reason: string };
export declare function serverBuildState(opts?: { root?: string }): ServerBuildState;
export declare function buildServer(opts?: { root?: string; log?: (line: string) => void }): Promise<string>;
export declare function ensureServerBuild(opts?: { root?: string; log?: (line: string) => void }): Promise<string>;
export declare function loadServerBuild(
  dir: string,
  opts?: { profile?: string; cacheDir?: string },
): { exports: Record<string, unknown>; saveCodeCache(): boolean };
