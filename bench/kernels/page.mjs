// What check.mjs and decode.mjs share: a cross-origin-isolated page on 127.0.0.1 that serves
// onnxruntime-web's dist under /ort/ (ort.webgpu.min.mjs and its WASM, as the app loads them) and
// the scripts' own files, and Chromium (CHROMIUM, default /usr/bin/chromium) with WebGPU enabled.
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ortDist = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "node_modules/onnxruntime-web/dist",
);

const contentType = (file) =>
  file.endsWith(".mjs")
    ? "text/javascript"
    : file.endsWith(".wasm")
      ? "application/wasm"
      : "application/octet-stream";

/**
 * Serves an empty page titled `title` at "/", onnxruntime-web's dist under "/ort/", and what
 * `fileFor(pathname)` names (a path, or null for 404); launches Chromium. Returns the page's
 * origin, the browser, and close() to end both.
 */
export async function openOrtPage(title, fileFor) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
    };
    if (url.pathname === "/") {
      res.writeHead(200, { ...headers, "Content-Type": "text/html" });
      res.end(`<!doctype html><title>${title}</title>`);
      return;
    }
    const file = url.pathname.startsWith("/ort/")
      ? path.join(ortDist, path.basename(url.pathname))
      : fileFor(url.pathname);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { ...headers, "Content-Type": contentType(file) });
      res.end(body);
    } catch {
      res.writeHead(404, headers);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--enable-unsafe-webgpu",
    ],
  });
  const close = async () => {
    await browser.close();
    server.close();
  };
  return { origin, browser, close };
}
