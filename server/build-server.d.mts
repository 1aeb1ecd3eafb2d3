// Types for server/build-server.mjs (plain JavaScript, so the launcher runs it without tsx).
export declare const ROOT: string;
export declare function buildRoot(root?: string): string;
export type ServerBuildState = { fresh: true; dir: string; id: string } | { fresh: false; reason: string };
export declare function serverBuildState(opts?: { root?: string }): ServerBuildState;
export declare function buildServer(opts?: { root?: string; log?: (line: string) => void }): Promise<string>;
export declare function ensureServerBuild(opts?: { root?: string; log?: (line: string) => void }): Promise<string>;
/** How a start met its code cache: run (sealed), or why it started cold. */
export type CodeCacheState = 'sealed' | 'none' | 'unsealed' | 'another-build' | 'altered' | 'writable' | 'rejected';
export declare function sealedCodeCache(
  cacheFile: string,
  bundleHash: string,
  folderWritable: boolean,
): { cachedData: Buffer | undefined; state: Exclude<CodeCacheState, 'rejected'> };
export declare function loadServerBuild(
  dir: string,
  opts?: { profile?: string },
): { exports: Record<string, unknown>; cache: CodeCacheState; saveCodeCache(): boolean };
export declare function warmCodeCaches(opts?: { root?: string; log?: (line: string) => void }): Promise<string[]>;
