// Module resolution hook (registered by awan_lambda_runtime.mjs): ES modules ignore NODE_PATH,
// so a bare specifier ("@aws-sdk/client-s3") that the usual resolution cannot find is looked up
// in the NODE_PATH directories, as CommonJS would.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

let dirs = [];

export async function initialize(data) {
  dirs = (data && data.dirs) || [];
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (!err || err.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw err;
    for (const dir of dirs) {
      // Resolving from a file inside `dir` also searches `dir` itself when it is a node_modules.
      const parentURL = pathToFileURL(path.join(dir, 'awan-resolve.mjs')).href;
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this directory
      }
    }
    throw err;
  }
}
