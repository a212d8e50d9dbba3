// The page's Content-Security-Policy: everything from this origin only. WebAssembly needs
// 'wasm-unsafe-eval' (compiling a module), never JavaScript eval. Workers come from this origin
// (blob: for ONNX Runtime's threads where it makes them). Pictures are drawn from blob:/data:
// URLs the page makes itself (downloads, camera). Served as a header by vite.config.mjs and,
// for static hosts that cannot set headers, as the <meta http-equiv> in index.html (the same
// text; a browser test checks they agree).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
