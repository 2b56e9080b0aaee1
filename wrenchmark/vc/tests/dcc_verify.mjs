// Verify one credential with the Digital Credentials Consortium verifier
// (@digitalcredentials/verifier-core), as an independent check of credentials we issue.
//
// Usage: node dcc_verify.mjs [credential.json]   (reads stdin when no file is given)
// Prints the verifier's result as one JSON object on stdout; diagnostics go to stderr.
import { readFileSync } from 'node:fs';

// The verifier logs schema-fetch problems with console.log; keep stdout for the result.
console.log = (...args) => console.error(...args);

const { verifyCredential } = await import('@digitalcredentials/verifier-core');

const source = process.argv[2] ? readFileSync(process.argv[2], 'utf8') : readFileSync(0, 'utf8');
const credential = JSON.parse(source);

const result = await verifyCredential({ credential, knownDIDRegistries: [], reloadIssuerRegistry: false });

const replacer = (key, value) => {
  if (value instanceof Error) {
    return { name: value.name, message: value.message };
  }
  if (key === 'stackTrace' || key === 'stack') {
    return undefined;
  }
  return value;
};
process.stdout.write(JSON.stringify(result, replacer) + '\n');
