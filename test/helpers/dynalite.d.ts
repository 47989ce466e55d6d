declare module 'dynalite' {
  interface DynaliteServer {
    listen(port: number, host: string, cb: () => void): void;
    address(): { port: number };
    close(cb: () => void): void;
  }
  const dynalite: (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => DynaliteServer;
  export default dynalite;
}
