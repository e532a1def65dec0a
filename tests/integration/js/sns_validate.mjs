// Validates SNS messages with the npm package sns-validator (a standard validator: it accepts
// only an https SigningCertURL on a host matching the pattern, fetches the certificate over
// https and checks the signature, versions 1 and 2). Usage: node sns_validate.mjs HOST_REGEX
// with a JSON array of messages on stdin; prints a JSON array of {"ok": true} or {"error": ...}.
// The daemon's CA must be trusted (NODE_EXTRA_CA_CERTS).
import MessageValidator from "sns-validator";

const pattern = new RegExp(process.argv[2]);
const validator = new MessageValidator(pattern);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const messages = JSON.parse(input);
const results = [];
for (const m of messages) {
  results.push(
    await new Promise((resolve) =>
      validator.validate(m, (err) => resolve(err ? { error: String(err.message || err) } : { ok: true })),
    ),
  );
}
console.log(JSON.stringify(results));
