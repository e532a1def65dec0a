// S3 through the AWS SDK for JavaScript v3 (newest): its default CRC32 checksums in aws-chunked
// bodies with trailers, lib-storage's multipart Upload, GetObject with checksum mode, errors.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, DeleteObjectCommand, CopyObjectCommand, PutBucketVersioningCommand,
  ListObjectVersionsCommand, GetObjectAttributesCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";

const endpoint = process.env.AWAN_ENDPOINT;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const s3 = new S3Client({ endpoint, region: "us-east-1", credentials, forcePathStyle: true });

const crc32 = (buf) => {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString("base64");
};

await s3.send(new CreateBucketCommand({ Bucket: "js-bucket" }));

// A string body: the SDK sends its CRC32 (header or aws-chunked trailer, by SDK version).
const text = "hello from the JS SDK";
const put = await s3.send(new PutObjectCommand({ Bucket: "js-bucket", Key: "hello.txt", Body: text }));
assert.equal(put.ETag, `"${createHash("md5").update(text).digest("hex")}"`);
assert.equal(put.ChecksumCRC32, crc32(Buffer.from(text)));

// A stream of unknown length: aws-chunked with a trailing x-amz-checksum-crc32.
const streamed = randomBytes(200 * 1024);
await s3.send(new PutObjectCommand({
  Bucket: "js-bucket", Key: "streamed.bin", Body: Readable.from([streamed.subarray(0, 70000), streamed.subarray(70000)]),
  ContentLength: streamed.length,
}));
const got = await s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "streamed.bin", ChecksumMode: "ENABLED" }));
const back = Buffer.from(await got.Body.transformToByteArray());
assert.ok(back.equals(streamed), "streamed body differs (chunk framing stored as data?)");
assert.equal(got.ChecksumCRC32, crc32(streamed));

// Explicit algorithms.
for (const ChecksumAlgorithm of ["CRC32C", "SHA1", "SHA256", "CRC64NVME"]) {
  const r = await s3.send(new PutObjectCommand({ Bucket: "js-bucket", Key: `alg-${ChecksumAlgorithm}`, Body: text, ChecksumAlgorithm }));
  assert.ok(r[`Checksum${ChecksumAlgorithm}`], `no ${ChecksumAlgorithm} echoed`);
  const h = await s3.send(new HeadObjectCommand({ Bucket: "js-bucket", Key: `alg-${ChecksumAlgorithm}`, ChecksumMode: "ENABLED" }));
  assert.equal(h[`Checksum${ChecksumAlgorithm}`], r[`Checksum${ChecksumAlgorithm}`]);
}

// lib-storage: a multipart upload of 12 MiB in 5 MiB parts, 2 at a time.
const big = randomBytes(12 * 1024 * 1024);
const upload = new Upload({ client: s3, params: { Bucket: "js-bucket", Key: "big.bin", Body: big }, partSize: 5 * 1024 * 1024, queueSize: 2 });
const done = await upload.done();
assert.ok(done.ETag.endsWith('-3"'), `multipart ETag ${done.ETag}`);
const bigBack = await s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "big.bin" }));
assert.ok(Buffer.from(await bigBack.Body.transformToByteArray()).equals(big));
const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: "js-bucket", Key: "big.bin", ObjectAttributes: ["ObjectParts", "ObjectSize"] }));
assert.equal(attrs.ObjectSize, big.length);
assert.equal(attrs.ObjectParts.TotalPartsCount, 3);
// The object is its three parts' files: ranges across them, and one part by number.
const MiB = 1024 * 1024;
for (const [first, last] of [[5 * MiB - 7, 5 * MiB + 6], [5 * MiB - 1, 10 * MiB], [3, 12 * MiB - 1]]) {
  const part = await s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "big.bin", Range: `bytes=${first}-${last}` }));
  assert.equal(part.ContentRange, `bytes ${first}-${last}/${big.length}`);
  assert.ok(Buffer.from(await part.Body.transformToByteArray()).equals(big.subarray(first, last + 1)), `range ${first}-${last}`);
}
const second = await s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "big.bin", PartNumber: 2 }));
assert.equal(second.PartsCount, 3);
assert.ok(Buffer.from(await second.Body.transformToByteArray()).equals(big.subarray(5 * MiB, 10 * MiB)));

// Range reads.
const ranged = await s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "hello.txt", Range: "bytes=0-4" }));
assert.equal(await ranged.Body.transformToString(), "hello");
assert.equal(ranged.ContentRange, `bytes 0-4/${text.length}`);

// Listing and copy.
await s3.send(new CopyObjectCommand({ Bucket: "js-bucket", Key: "copy.txt", CopySource: "js-bucket/hello.txt" }));
const list = await s3.send(new ListObjectsV2Command({ Bucket: "js-bucket", Prefix: "c" }));
assert.deepEqual(list.Contents.map((o) => o.Key), ["copy.txt"]);

// Versioning.
await s3.send(new PutBucketVersioningCommand({ Bucket: "js-bucket", VersioningConfiguration: { Status: "Enabled" } }));
const v1 = await s3.send(new PutObjectCommand({ Bucket: "js-bucket", Key: "v", Body: "1" }));
const v2 = await s3.send(new PutObjectCommand({ Bucket: "js-bucket", Key: "v", Body: "2" }));
const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "js-bucket", Prefix: "v" }));
assert.deepEqual(versions.Versions.map((v) => v.VersionId), [v2.VersionId, v1.VersionId]);
await s3.send(new DeleteObjectCommand({ Bucket: "js-bucket", Key: "v" }));

// Errors arrive typed.
await assert.rejects(s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "missing" })), (e) => e.name === "NoSuchKey");
await assert.rejects(s3.send(new PutObjectCommand({ Bucket: "js-bucket", Key: "bad", Body: "abc", ChecksumCRC32: crc32(Buffer.from("xyz")) })),
  (e) => e.name === "BadDigest" || e.Code === "BadDigest");
await assert.rejects(s3.send(new CreateBucketCommand({ Bucket: "Bad_Name" })), (e) => e.name === "InvalidBucketName");
console.log("s3.mjs ok");
