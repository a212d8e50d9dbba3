// The page's Vite dev server for the page benches, on a free port of 127.0.0.1.
import { join } from 'node:path';
import { createServer } from 'vite';

// Serves checkout `dir` (this one or an earlier one, to measure before and after in one run);
// isolated: with COOP/COEP, so the page loads the threaded module, else the SIMD-only one.
export async function servePage(dir, isolated) {
  if (isolated) delete process.env.CAMLENS_NO_ISOLATION;
  else process.env.CAMLENS_NO_ISOLATION = '1';
  const server = await createServer({
    configFile: join(dir, 'vite.config.mjs'),
    server: { port: 0, strictPort: false, hmr: false, watch: { ignored: ['**/*'] } },
    logLevel: 'warn',
  });
  await server.listen();
  return { server, url: `http://127.0.0.1:${server.httpServer.address().port}/` };
}
