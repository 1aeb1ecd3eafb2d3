// The class file's CLI commands, beside the session archive's (`examroom archive session|verify|list`):
//   examroom archive class CLASS [--with-media]   make it (a job in this process; Ctrl-C cancels)
//   examroom archive classes [CLASS]              the class files made
// `examroom archive verify FILE` checks a class file exactly as a session archive: same format.
export const classArchiveCommands = [] as const;
