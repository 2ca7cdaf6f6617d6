import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
} from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { Plugin } from "vite";

/**
 * Serves and builds what a browser LLM needs from this app itself:
 *
 * - `/models/...`: the staged model files with the right MIME types (`.onnx` as
 *   application/octet-stream), and a real 404 for a missing file. Without it, the dev server and
 *   `vite preview` answer a missing `model.onnx` with index.html, which ONNX Runtime reports as
 *   "Protobuf parsing failed".
 * - `/ort/...`: ONNX Runtime Web's WASM files, copied from node_modules into the build, so the app
 *   never fetches them from a CDN (it works offline).
 * - Cross-origin isolation headers (COOP/COEP): SharedArrayBuffer, i.e. multi-threaded WASM.
 */

/** The WASM runtime files Transformers.js loads (its WebGPU build uses the asyncify variant). */
export const ORT_FILES = [
  "ort-wasm-simd-threaded.asyncify.mjs",
  "ort-wasm-simd-threaded.asyncify.wasm",
];

export const CROSS_ORIGIN_ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

const MIME: Record<string, string> = {
  ".onnx": "application/octet-stream",
  ".onnx_data": "application/octet-stream",
  ".data": "application/octet-stream",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".model": "application/octet-stream",
  ".wasm": "application/wasm",
  ".mjs": "text/javascript; charset=utf-8",
};

/** The onnxruntime-web dist folder that matches the version @huggingface/transformers depends on. */
export function findOrtDist(root: string): string {
  const tfPackage = path.join(
    root,
    "node_modules/@huggingface/transformers/package.json",
  );
  if (!existsSync(tfPackage)) {
    throw new Error(
      `@huggingface/transformers is not installed in ${root}; run "npm ci".`,
    );
  }
  const wanted = JSON.parse(readFileSync(tfPackage, "utf8")).dependencies?.[
    "onnxruntime-web"
  ];
  for (const candidate of [
    "node_modules/@huggingface/transformers/node_modules/onnxruntime-web",
    "node_modules/onnxruntime-web",
  ]) {
    const dir = path.join(root, candidate);
    const pkg = path.join(dir, "package.json");
    if (
      existsSync(pkg) &&
      JSON.parse(readFileSync(pkg, "utf8")).version === wanted
    ) {
      return path.join(dir, "dist");
    }
  }
  throw new Error(
    `onnxruntime-web ${wanted} (wanted by @huggingface/transformers) is not installed; run "npm ci".`,
  );
}

/** Streams `file` if it is a file under `dir`; otherwise answers 404 and says why. */
function serveFile(
  dir: string,
  urlPath: string,
  res: ServerResponse,
  hint: string,
): void {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    relative = urlPath;
  }
  const file = path.resolve(dir, "." + path.posix.normalize("/" + relative));
  const inside = file === dir || file.startsWith(dir + path.sep);
  if (!inside || !existsSync(file) || !statSync(file).isFile()) {
    res.statusCode = 404;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    for (const [k, v] of Object.entries(CROSS_ORIGIN_ISOLATION))
      res.setHeader(k, v);
    res.end(`404 Not Found: ${relative} is not in ${dir}. ${hint}\n`);
    return;
  }
  res.statusCode = 200;
  res.setHeader(
    "Content-Type",
    MIME[path.extname(file)] ?? "application/octet-stream",
  );
  res.setHeader("Content-Length", String(statSync(file).size));
  res.setHeader("Cache-Control", "no-cache");
  for (const [k, v] of Object.entries(CROSS_ORIGIN_ISOLATION))
    res.setHeader(k, v);
  createReadStream(file).pipe(res);
}

type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
) => void;

function filesUnder(
  prefix: string,
  dir: () => string,
  hint: string,
): Middleware {
  return (req, res, next) => {
    const url = (req.url ?? "").split("?")[0];
    if (
      !url.startsWith(prefix) ||
      (req.method !== "GET" && req.method !== "HEAD")
    )
      return next();
    serveFile(dir(), url.slice(prefix.length), res, hint);
  };
}

const MODEL_HINT =
  'Run "mvn package" to export and stage the model (or check the model path in src/model.ts).';

/**
 * For the worker's bundle: ONNX Runtime's own reference to its WASM file would make Vite emit a
 * second 27 MB copy under assets/; the worker loads the one under /ort/ (wasmPaths), so drop it.
 */
export function dropBundledOrtWasm(): Plugin {
  return {
    name: "edge-llm:drop-bundled-ort-wasm",
    generateBundle(_options, bundle) {
      for (const [fileName, item] of Object.entries(bundle)) {
        if (
          item.type === "asset" &&
          /ort-wasm-simd-threaded[^/]*\.wasm$/.test(fileName)
        )
          delete bundle[fileName];
      }
    },
  };
}

export function edgeLlm(): Plugin {
  let root = process.cwd();
  let publicDir = path.join(root, "public");
  let outDir = path.join(root, "dist");
  let base = "/";
  return {
    name: "edge-llm",
    config: () => ({
      server: { headers: CROSS_ORIGIN_ISOLATION },
      preview: { headers: CROSS_ORIGIN_ISOLATION },
    }),
    configResolved(config) {
      root = config.root;
      publicDir = config.publicDir || path.join(root, "public");
      outDir = path.resolve(root, config.build.outDir);
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use(
        filesUnder(
          `${base}models/`,
          () => path.join(publicDir, "models"),
          MODEL_HINT,
        ),
      );
      server.middlewares.use(
        filesUnder(`${base}ort/`, () => findOrtDist(root), 'Run "npm ci".'),
      );
    },
    configurePreviewServer(server) {
      server.middlewares.use(
        filesUnder(
          `${base}models/`,
          () => path.join(outDir, "models"),
          MODEL_HINT,
        ),
      );
    },
    writeBundle() {
      const from = findOrtDist(root);
      const to = path.join(outDir, "ort");
      mkdirSync(to, { recursive: true });
      for (const name of ORT_FILES)
        copyFileSync(path.join(from, name), path.join(to, name));
    },
  };
}
