// A small static server for the built site (docs/.vitepress/dist), in-process so that whoever
// starts it can also stop it: the tests and `npm start` close it themselves rather than hunting
// for a preview server's child process. It serves the site under its base (BATCHPROP_BASE), as
// the published site would be, and resolves VitePress's URLs: /page and /page.html, /dir/ and
// /dir/index.html; anything else is the site's 404 page with status 404.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

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

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".ipynb": "application/x-ipynb+json",
};

/**
 * The file a URL path names inside root, or undefined; never a path outside root. What keeps it
 * inside: normalising the decoded path as an absolute one ("/" + path) resolves every ".." against
 * "/", where it stops, so the result is "/" or below and root/. + it stays under root.
 */
export function resolveFile(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const full = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const candidates = decoded.endsWith("/") ? [path.join(full, "index.html")] : [full, `${full}.html`, path.join(full, "index.html")];
  return candidates.find((file) => fs.existsSync(file) && fs.statSync(file).isFile());
}

export function serveSite(options: ServeOptions): Promise<SiteServer> {
  const root = path.resolve(options.root);
  const base = options.base ?? "/";
  if (!fs.existsSync(path.join(root, "index.html"))) {
    return Promise.reject(new Error(`serve: no built site in ${root} (run npm run build)`));
  }
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    const send = (status: number, file: string): void => {
      const stream = fs.createReadStream(file);
      stream.once("open", () => {
        response.writeHead(status, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
        stream.pipe(response);
      });
      // A file gone since it was found, or a site without 404.html: a plain 404, not a crash.
      stream.once("error", () => {
        if (response.headersSent) response.destroy();
        else response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("404 not found\n");
      });
    };
    if (pathname === base.replace(/\/$/, "")) {
      response.writeHead(301, { location: base }).end();
      return;
    }
    const file = pathname.startsWith(base) ? resolveFile(root, pathname.slice(base.length - 1)) : undefined;
    if (file !== undefined) send(200, file);
    else send(404, path.join(root, "404.html"));
  });
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
