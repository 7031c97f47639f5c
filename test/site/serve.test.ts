// The site's static server: the base, the 404 page, no file outside the site, and a hostile
// client's requests (malformed targets, other methods, an inverted range) each answered, with the
// server still serving afterwards. Requests go over raw sockets, so a target reaches the server
// exactly as written: http.get and fetch would resolve or refuse it first.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { siteBase } from "../../tools/site/base.ts";
import { type SiteServer, serveSite } from "../../tools/site/serve.ts";

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `head` (a request line and headers) as written, and reads the answer to the end; with
 * `halfClose`, shuts the sending side right after the request, as `nc -N` does.
 */
function raw(url: string, head: string, { halfClose = false } = {}): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let text = "";
    socket.setEncoding("latin1");
    socket.setTimeout(10_000, () => socket.destroy(new Error(`${head.split("\r\n")[0]}: no answer within 10 s`)));
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const split = text.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1];
      if (status === undefined) {
        reject(new Error(`${head.split("\r\n")[0]}: no HTTP answer (got ${JSON.stringify(text.slice(0, 80))})`));
        return;
      }
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      const body = text.slice(split + 4);
      resolve({ status: Number(status), headers, body: headers["transfer-encoding"] === "chunked" ? unchunk(body) : body });
    });
    socket.write(`${head}\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
    if (halfClose) socket.end();
  });
}

/** The body of a chunked answer: each chunk is its size in hex, CRLF, the bytes, CRLF; size 0 ends it. */
function unchunk(text: string): string {
  let body = "";
  for (let at = 0; ; ) {
    const eol = text.indexOf("\r\n", at);
    const size = parseInt(text.slice(at, eol), 16);
    if (!(size > 0)) return body;
    body += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

const get = (url: string, target: string) => raw(url, `GET ${target} HTTP/1.1`);

/** A built site under a base, with a real file beside it that a path climbing out would find. */
let parent: string;
let server: SiteServer;
beforeAll(async () => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-serve-"));
  const root = path.join(parent, "dist");
  fs.mkdirSync(path.join(root, "guide"), { recursive: true });
  fs.writeFileSync(path.join(root, "index.html"), "home");
  fs.writeFileSync(path.join(root, "page.html"), "page");
  fs.writeFileSync(path.join(root, "guide", "index.html"), "guide");
  fs.writeFileSync(path.join(root, "01.ipynb"), "{}");
  fs.writeFileSync(path.join(root, "404.html"), "not here");
  fs.writeFileSync(path.join(parent, "secret.txt"), "outside the site");
  server = await serveSite({ root, base: "/batchprop/" });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(parent, { recursive: true, force: true });
});

describe("the site server", () => {
  it("normalises the base to one slash at each end", () => {
    expect(siteBase(undefined)).toBe("/");
    expect(siteBase("")).toBe("/");
    expect(siteBase("batchprop")).toBe("/batchprop/");
    expect(siteBase("/batchprop/")).toBe("/batchprop/");
  });

  it("serves the site under its base, as VitePress links it", async () => {
    for (const [target, body] of [
      ["/batchprop/", "home"],
      ["/batchprop/page", "page"],
      ["/batchprop/page.html", "page"],
      ["/batchprop/guide/", "guide"],
      ["/batchprop/guide/index.html", "guide"],
      ["/batchprop/page.html?x=1#top", "page"],
    ]) {
      expect(await get(server.url, target), target).toMatchObject({ status: 200, body });
    }
    expect((await get(server.url, "/batchprop/page")).headers["content-type"]).toMatch(/^text\/html/);
    expect((await get(server.url, "/batchprop/01.ipynb")).headers["content-type"]).toBe("application/x-ipynb+json");
    expect(await get(server.url, "/batchprop")).toMatchObject({ status: 301, headers: { location: "/batchprop/" } });
  });

  it("answers the site's 404 page for anything else", async () => {
    for (const target of ["/batchprop/missing", "/page", "/", "/batchprop/page.html/x"]) {
      expect(await get(server.url, target), target).toMatchObject({ status: 404, body: "not here" });
    }
  });

  it("never serves a file outside the site", async () => {
    for (const escape of [
      "/batchprop/../secret.txt",
      "/batchprop/%2e%2e/secret.txt",
      "/batchprop/%2e%2e%2fsecret.txt",
      "/batchprop/..%2f..%2fdist/../secret.txt",
      "/batchprop/..%2fsecret.txt",
      "/batchprop/%2e%2e%5csecret.txt",
      "/batchprop/..\\secret.txt",
      "/batchprop/../../secret.txt",
    ]) {
      const answer = await get(server.url, escape);
      expect(answer.body, escape).not.toContain("outside the site");
      expect(answer.status, escape).toBe(404);
    }
  });

  it("answers a malformed target 400, and goes on serving", async () => {
    for (const target of ["//[", "http://[::1", "/batchprop/%", "/batchprop/page%", "/batchprop/%zz", "http://x:99999/"]) {
      expect(await get(server.url, target), target).toMatchObject({ status: 400 });
      expect(await get(server.url, "/batchprop/page"), `after ${target}`).toMatchObject({ status: 200, body: "page" });
    }
  });

  it("answers methods other than GET and HEAD 405, saying which are allowed", async () => {
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"]) {
      const answer = await raw(server.url, `${method} /batchprop/page HTTP/1.1`);
      expect(answer, method).toMatchObject({ status: 405, headers: { allow: "GET, HEAD" } });
    }
    expect(await raw(server.url, "HEAD /batchprop/page HTTP/1.1")).toMatchObject({ status: 200, body: "" });
    expect(await get(server.url, "/batchprop/page")).toMatchObject({ status: 200, body: "page" });
  });

  it("answers CONNECT 405 too (Node would close the socket without a word), and goes on serving", async () => {
    for (const target of ["x:80", "127.0.0.1:443", "/batchprop/page"]) {
      const answer = await raw(server.url, `CONNECT ${target} HTTP/1.1`);
      expect(answer, target).toEqual({ status: 405, headers: expect.objectContaining({ allow: "GET, HEAD" }), body: "405 method not allowed: CONNECT\n" });
    }
    expect(await get(server.url, "/batchprop/page")).toMatchObject({ status: 200, body: "page" });
  });

  it("answers a client that half-closes right after its request", async () => {
    // Each answer is read from disk, so it is not ready when the client's FIN arrives.
    for (let round = 0; round < 10; round++) {
      expect(await raw(server.url, "GET /batchprop/page HTTP/1.1", { halfClose: true })).toMatchObject({ status: 200, body: "page" });
      expect(await raw(server.url, "GET /batchprop/missing HTTP/1.1", { halfClose: true })).toMatchObject({ status: 404, body: "not here" });
      expect(await raw(server.url, "CONNECT x:80 HTTP/1.1", { halfClose: true })).toMatchObject({ status: 405 });
    }
  });

  it("answers an inverted or malformed range with the whole file", async () => {
    for (const range of ["bytes=3-1", "bytes=x-y", "bytes=-", "bytes=99-"]) {
      expect(await raw(server.url, `GET /batchprop/page HTTP/1.1\r\nRange: ${range}`), range).toMatchObject({ status: 200, body: "page" });
    }
  });

  it("answers a plain 404 when the site has no 404 page", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-dist-"));
    fs.writeFileSync(path.join(root, "index.html"), "home");
    const bare = await serveSite({ root });
    try {
      expect(await get(bare.url, "/missing")).toMatchObject({ status: 404, body: "404 not found\n" });
      expect(await get(bare.url, "/")).toMatchObject({ status: 200, body: "home" });
    } finally {
      await bare.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
