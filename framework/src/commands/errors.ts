import { FrameworkError } from "../core/errors";

/** A command refused its input or could not finish: craft prints the message as one line. */
export class CommandError extends FrameworkError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { status: 400, expose: true, cause });
  }
}

/** A filesystem error code in words, for messages that end in what to do about it. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOENT":
      return "the parent directory does not exist";
    case "ENOTDIR":
      return "a part of the path is a file, not a directory";
    case "ENOSPC":
      return "the disk is full";
    default:
      return (error as Error).message;
  }
}
