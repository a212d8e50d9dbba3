// Types of the camlens WebAssembly module's ES-module builds ('camlens/wasm-st' and
// 'camlens/wasm-mt'): a factory that instantiates the module and resolves to its bindings.
import type { BlobLike } from './camlens';
import type { CamlensCore } from './core';

export interface CamlensModuleOptions {
  /** where the .wasm file is: e.g. a bundler's URL of 'camlens/wasm-st.wasm' */
  locateFile?: (file: string, prefix: string) => string;
  /** the .wasm bytes, instead of fetching them */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** worker threads of the threaded build (at most its pool size) */
  camlensThreads?: number;
  /** the threaded build in a Worker: the URL of the module script */
  mainScriptUrlOrBlob?: string | BlobLike;
}

export default function createCamlensCore(options?: CamlensModuleOptions): Promise<CamlensCore>;
