// (parquetjs takes DECIMAL values unscaled-by-hand: 12345 with scale 2 is written as 12345.00.)
// Writes the Parquet fixtures of tests/data/stepfunctions/ with a real writer,
// @dsnp/parquetjs (npm), run once by hand:
//   mkdir /tmp/pq && cd /tmp/pq && npm install @dsnp/parquetjs
//   NODE_PATH=/tmp/pq/node_modules node tests/data/stepfunctions/make_parquet.js tests/data/stepfunctions
// The files are committed; the tests do not run this script.
const path = require('path');
const parquet = require('@dsnp/parquetjs');

const out = process.argv[2] || '.';

function typesSchema(compression) {
  const c = (f) => Object.assign({ compression }, f);
  return new parquet.ParquetSchema({
    b: c({ type: 'BOOLEAN' }),
    i32: c({ type: 'INT32' }),
    i64: c({ type: 'INT64' }),
    f: c({ type: 'FLOAT' }),
    d: c({ type: 'DOUBLE' }),
    s: c({ type: 'UTF8' }),
    raw: c({ type: 'BYTE_ARRAY' }),
    fixed: c({ type: 'FIXED_LEN_BYTE_ARRAY', typeLength: 3 }),
    day: c({ type: 'DATE' }),
    ts: c({ type: 'TIMESTAMP_MILLIS' }),
    tsu: c({ type: 'TIMESTAMP_MICROS' }),
    u32: c({ type: 'UINT_32' }),
    dec: c({ type: 'DECIMAL', precision: 10, scale: 2 }),
    opt_s: c({ type: 'UTF8', optional: true }),
    opt_i: c({ type: 'INT32', optional: true }),
    opt_b: c({ type: 'BOOLEAN', optional: true }),
  });
}

const rows = [
  { b: true, i32: -7, i64: 9007199254740993n, f: 1.5, d: -2.25, s: 'héllo', raw: Buffer.from([0, 1, 2, 255]),
    fixed: Buffer.from('abc'), day: new Date(Date.UTC(2024, 1, 29)), ts: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
    tsu: 1700000000123456n, u32: 2147483647, dec: 12345, opt_s: 'x', opt_i: 1, opt_b: false },
  { b: false, i32: 2147483647, i64: -1n, f: 0, d: 1e300, s: '', raw: Buffer.from([]), fixed: Buffer.from('xyz'),
    day: new Date(Date.UTC(1969, 11, 31)), ts: new Date(Date.UTC(1970, 0, 1)), tsu: 0n, u32: 0, dec: -5,
    opt_b: true },
  { b: true, i32: 0, i64: 0n, f: -3.25, d: 0.1, s: 'third', raw: Buffer.from('r'), fixed: Buffer.from('\x00\x01\x02'),
    day: new Date(Date.UTC(2000, 0, 1)), ts: new Date(Date.UTC(2030, 11, 31, 23, 59, 59, 999)), tsu: 1n, u32: 7,
    dec: 100, opt_s: 'z' },
];

async function write(name, compression, opts) {
  const w = await parquet.ParquetWriter.openFile(typesSchema(compression), path.join(out, name), opts);
  for (const r of rows) await w.appendRow(r);
  await w.close();
}

async function main() {
  await write('types_v1_uncompressed.parquet', 'UNCOMPRESSED', { useDataPageV2: false });
  await write('types_v2_uncompressed.parquet', 'UNCOMPRESSED', { useDataPageV2: true });
  await write('types_v1_snappy.parquet', 'SNAPPY', { useDataPageV2: false });
  await write('types_v2_snappy.parquet', 'SNAPPY', { useDataPageV2: true });
  await write('types_v1_gzip.parquet', 'GZIP', { useDataPageV2: false });
  await write('types_v2_gzip.parquet', 'GZIP', { useDataPageV2: true });
  // Three row groups of two rows, the last one short.
  {
    const schema = new parquet.ParquetSchema({ n: { type: 'INT32' }, name: { type: 'UTF8', optional: true } });
    const w = await parquet.ParquetWriter.openFile(schema, path.join(out, 'row_groups.parquet'), { rowGroupSize: 2 });
    for (let i = 0; i < 5; ++i) await w.appendRow(i === 3 ? { n: i } : { n: i, name: 'row' + i });
    await w.close();
  }
  // A nested (group) column and a repeated one: refused.
  {
    const schema = new parquet.ParquetSchema({ id: { type: 'INT32' }, tags: { type: 'UTF8', repeated: true } });
    const w = await parquet.ParquetWriter.openFile(schema, path.join(out, 'repeated.parquet'));
    await w.appendRow({ id: 1, tags: ['a', 'b'] });
    await w.close();
    const nested = new parquet.ParquetSchema({ id: { type: 'INT32' }, pos: { fields: { x: { type: 'DOUBLE' } } } });
    const w2 = await parquet.ParquetWriter.openFile(nested, path.join(out, 'nested.parquet'));
    await w2.appendRow({ id: 1, pos: { x: 1 } });
    await w2.close();
  }
  // An S3 Inventory file in Parquet (the columns S3 writes, a subset).
  {
    const schema = new parquet.ParquetSchema({
      bucket: { type: 'UTF8' }, key: { type: 'UTF8' }, size: { type: 'INT64', optional: true },
      last_modified_date: { type: 'TIMESTAMP_MILLIS', optional: true },
    });
    const w = await parquet.ParquetWriter.openFile(schema, path.join(out, 'inventory.parquet'));
    await w.appendRow({ bucket: 'src-bucket', key: 'data/a.csv', size: 10n, last_modified_date: new Date(Date.UTC(2024, 4, 1)) });
    await w.appendRow({ bucket: 'src-bucket', key: 'data/b.csv', size: 20n, last_modified_date: new Date(Date.UTC(2024, 4, 2)) });
    await w.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
