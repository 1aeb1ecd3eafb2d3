// Types for server/build-server.mjs (plain JavaScript, so the launcher runs it without tsx).
export declare const ROOT: string;
export declare const BUILD_ROOT: string;
export type ServerBuildState = { fresh: true; dir: string; id: string } | { fresh: false; reason: string };
export declare function serverBuildState(): ServerBuildState;
export declare function buildServer(opts?: { log?: (line: string) => void }): Promise<string>;
export declare function ensureServerBuild(opts?: { log?: (line: string) => void }): Promise<string>;
