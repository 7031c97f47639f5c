// The static server for the built site (docs/.vitepress/dist), in-process so that whoever starts it
// can also stop it: the tests and `npm start` close it themselves rather than hunting for a preview
// server's child process. sirv serves the files (types, /page → page.html, /dir/ → dir/index.html,
// nothing outside the root); this file mounts it under the site's base (BATCHPROP_BASE), as the
// published site would be, answers the site's 404 page for anything else, and guards the server:
// every request gets an answer and none can stop it.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import path from "node:path";
import sirv from "sirv";

export interface ServeOptions {
  /** The built site. */
  root: string;
  /** The base the site was built with, e.g. "/" or "/batchprop/". */
  base?: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
}

export interface SiteServer {
  /** The site's address, ending in its base, e.g. http://127.0.0.1:4173/batchprop/ */
  url: string;
  close(): Promise<void>;
}

const plainText = { "content-type": "text/plain; charset=utf-8" };

/**
 * The path of a request target with its "." and ".." segments resolved (as a browser would, "%2e"
 * included); undefined when the target is not a URL (`//[`, `http://[::1`) or its path holds a
 * broken %-escape (a lone `%`).
 */
export function targetPath(target: string): string | undefined {
  try {
    const { pathname } = new URL(target, "http://localhost");
    decodeURIComponent(pathname);
    return pathname;
  } catch {
    return undefined;
  }
}

export function serveSite(options: ServeOptions): Promise<SiteServer> {
  const root = path.resolve(options.root);
  const base = options.base ?? "/";
  if (!fs.existsSync(path.join(root, "index.html"))) {
    return Promise.reject(new Error(`serve: no built site in ${root} (run npm run build)`));
  }
  const notFound = (response: http.ServerResponse): void => {
    const stream = fs.createReadStream(path.join(root, "404.html"));
    stream.once("open", () => {
      response.writeHead(404, { "content-type": "text/html; charset=utf-8" });
      stream.pipe(response);
    });
    // A site without 404.html: a plain 404.
    stream.once("error", () => {
      if (response.headersSent) response.destroy();
      else response.writeHead(404, plainText).end("404 not found\n");
    });
  };
  // dev: looks each file up when asked, so a rebuilt site is served as it is now, not as it was.
  const files = sirv(root, {
    dev: true,
    onNoMatch: (_request, response) => notFound(response),
    // The notebooks' downloads: a type sirv does not know.
    setHeaders: (response, pathname) => {
      if (pathname.endsWith(".ipynb")) response.setHeader("content-type", "application/x-ipynb+json");
    },
  });

  const serve = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { ...plainText, allow: "GET, HEAD" }).end(`405 method not allowed: ${request.method}\n`);
      return;
    }
    const pathname = targetPath(request.url ?? "/");
    if (pathname === undefined) {
      response.writeHead(400, plainText).end("400 bad request: the target is not a valid URL path\n");
      return;
    }
    if (pathname === base.replace(/\/$/, "")) {
      response.writeHead(301, { location: base }).end();
      return;
    }
    if (!pathname.startsWith(base)) {
      notFound(response);
      return;
    }
    // sirv reads the path from request.url: hand it the normalised one, below the base.
    request.url = pathname.slice(base.length - 1);
    // Ranges are not needed by a site, and sirv throws on an inverted one (bytes=5-2): the whole file.
    delete request.headers.range;
    // A file gone between sirv finding it and reading it: end that response, not the process.
    response.once("pipe", (source: NodeJS.ReadableStream) => source.once("error", () => response.destroy()));
    files(request, response);
  };

  const server = http.createServer((request, response) => {
    try {
      serve(request, response);
    } catch (error) {
      // Whatever else throws answers 500; the server goes on.
      if (response.headersSent) response.destroy();
      else response.writeHead(500, plainText).end(`500 internal error: ${(error as Error).message}\n`);
    }
  });
  // CONNECT never reaches the request handler: Node emits 'connect' and, with nobody listening,
  // closes the socket without a word. It gets the 405 every other method does.
  server.on("connect", (request: http.IncomingMessage, socket: Duplex) => {
    const body = `405 method not allowed: ${request.method}\n`;
    // Node has handed the socket over with no error listener: a reset must not end the server.
    socket.on("error", () => socket.destroy());
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD\r\ncontent-type: ${plainText["content-type"]}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  // A client that half-closes right after its request (`printf … | nc -N`) still gets its answer:
  // by default Node ends the socket on the client's FIN, before an answer read from disk is ready.
  // This is Node's own switch for that (set in its constructor, not an option); serve.test.ts checks it works.
  (server as unknown as { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      const { address, port } = server.address() as AddressInfo;
      resolve({
        url: `http://${address}:${port}${base}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
