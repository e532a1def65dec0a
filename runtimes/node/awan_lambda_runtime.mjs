// Awan's Node.js runtime client: runs a nodejs*.x function's handler against the Lambda Runtime
// API of its execution environment (emulators/lambda/runtime_api.cpp). Node built-ins only; the
// AWS SDK v3 comes from NODE_PATH (CommonJS) and sdk_resolve_hook.mjs (ES modules).
import fs from 'node:fs';
import http from 'node:http';
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const API_PREFIX = '/2018-06-01/runtime';
const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId = '';

// ---- the Runtime API ----

function call(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: apiHost, port: apiPort, method, path: API_PREFIX + route, agent, headers },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
    req.on('error', reject);
    req.end(body);
  });
}

function postJson(route, text, errorType) {
  const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
  if (errorType) headers['Lambda-Runtime-Function-Error-Type'] = errorType;
  return call('POST', route, text, headers);
}

// ---- errors and logs in AWS's shapes ----

function errorDocument(err) {
  if (err instanceof Error) {
    return { errorType: err.name || 'Error', errorMessage: err.message, trace: String(err.stack || '').split('\n') };
  }
  return { errorType: typeof err, errorMessage: typeof err === 'string' ? err : util.inspect(err), trace: [] };
}

function logLine(level, args) {
  const message = util.format(...args).replace(/\n/g, '\r');
  process.stdout.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${message}\n`);
}

function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) console[method] = (...args) => logLine(level, args);
}

// ---- the handler ----

class InitError extends Error {
  constructor(errorType, message) {
    super(message);
    this.name = errorType;
  }
}

// "src/index.handler" → { file: "src/index", exportPath: ["handler"] }
function parseHandler(spec) {
  const slash = spec.lastIndexOf('/');
  const base = spec.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  return { file: spec.slice(0, slash + 1) + base.slice(0, dot), exportPath: base.slice(dot + 1).split('.') };
}

// Whether a .js file is an ES module: the nearest package.json says "type": "module".
function isModuleJs(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return JSON.parse(fs.readFileSync(pkg, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (dir === path.dirname(dir)) return false;
  }
}

async function loadModule(taskRoot, file) {
  const base = path.resolve(taskRoot, file);
  const found = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!found) throw new InitError('Runtime.ImportModuleError', `Error: Cannot find module '${file}'`);
  const asModule = found.endsWith('.mjs') || (found.endsWith('.js') && isModuleJs(found));
  if (asModule) return import(pathToFileURL(found).href);
  const require = createRequire(found);
  try {
    return require(found);
  } catch (err) {
    if (err && err.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(found).href);
    throw err;
  }
}

async function loadHandler(spec) {
  const { file, exportPath } = parseHandler(spec);
  const taskRoot = process.env.LAMBDA_TASK_ROOT || '/var/task';
  let mod;
  try {
    mod = await loadModule(taskRoot, file);
  } catch (err) {
    if (err instanceof InitError) throw err;
    if (err && err.code === 'MODULE_NOT_FOUND') throw new InitError('Runtime.ImportModuleError', `Error: ${err.message}`);
    if (err instanceof SyntaxError) throw new InitError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`);
    throw err;
  }
  let handler = exportPath.reduce((obj, key) => (obj == null ? undefined : obj[key]), mod);
  if (handler === undefined && mod && mod.default) handler = exportPath.reduce((obj, key) => (obj == null ? undefined : obj[key]), mod.default);
  if (typeof handler !== 'function') {
    throw new InitError('Runtime.HandlerNotFound', `${file}.${exportPath.join('.')} is undefined or not exported`);
  }
  return handler;
}

// ---- one invocation ----

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const parse = (text) => {
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parse(headers['lambda-runtime-cognito-identity']),
    clientContext: parse(headers['lambda-runtime-client-context']),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

// Runs the handler: async (a promise), or with a callback (three parameters), or the legacy
// context.succeed/fail/done.
function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const done = (err, data) => (err !== undefined && err !== null ? reject(err) : resolve(data));
    context.done = done;
    context.succeed = (data) => done(null, data);
    context.fail = (err) => done(err ?? 'handled');
    const result = handler(event, context, done);
    if (result && typeof result.then === 'function') result.then(resolve, reject);
    else if (handler.length < 3) resolve(result);
  });
}

async function invokeOnce(handler, next) {
  const headers = next.headers;
  const requestId = headers['lambda-runtime-aws-request-id'];
  currentRequestId = requestId;
  if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
  const context = makeContext(headers);
  try {
    const event = next.body ? JSON.parse(next.body) : null;
    const result = await runHandler(handler, event, context);
    await postJson(`/invocation/${requestId}/response`, JSON.stringify(result === undefined ? null : result));
  } catch (err) {
    const doc = errorDocument(err);
    logLine('ERROR', ['Invoke Error', JSON.stringify(doc)]);
    await postJson(`/invocation/${requestId}/error`, JSON.stringify(doc), doc.errorType);
  }
}

// ---- start ----

function registerSdkResolution() {
  const dirs = (process.env.NODE_PATH || '').split(':').filter((d) => d && fs.existsSync(d));
  if (dirs.length) register('./sdk_resolve_hook.mjs', import.meta.url, { data: { dirs } });
}

async function main() {
  patchConsole();
  registerSdkResolution();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || '');
  } catch (err) {
    const doc = errorDocument(err);
    logLine('ERROR', ['Init Error', JSON.stringify(doc)]);
    await postJson('/init/error', JSON.stringify(doc), doc.errorType);
    process.exit(1);
  }
  process.on('unhandledRejection', async (reason) => {
    const doc = { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: String(reason), trace: [] };
    logLine('ERROR', ['Unhandled Promise Rejection', JSON.stringify(doc)]);
    if (currentRequestId) await postJson(`/invocation/${currentRequestId}/error`, JSON.stringify(doc), doc.errorType);
    process.exit(128);
  });
  for (;;) {
    const next = await call('GET', '/invocation/next');
    await invokeOnce(handler, next);
  }
}

main();
