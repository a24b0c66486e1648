import type { Server } from "node:http";

export interface GracefulShutdownOptions {
  /** Work to finish after the server stopped accepting (stop timers, close the store). */
  onClose?: () => Promise<void>;
  /** Force-close remaining connections after this long (default 10 s). */
  timeoutMs?: number;
}

/**
 * Returns a function that stops accepting connections, lets in-flight requests finish (idle keep-alive sockets
 * are closed at once), runs `onClose`, and resolves. Call it from SIGTERM/SIGINT handlers.
 */
export function createGracefulShutdown(server: Server, options: GracefulShutdownOptions = {}): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), options.timeoutMs ?? 10_000);
      timer.unref();
      await closed;
      clearTimeout(timer);
      await options.onClose?.();
    })();
    return closing;
  };
}
