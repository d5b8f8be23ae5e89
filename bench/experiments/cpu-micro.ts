/**
 * Experiment: node CPU per resolve step, without a database: masker registration, JSON parse,
 * deep freeze, AES-GCM unwrap + decrypt, audit hash. Throwaway.
 */
import { createHash, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { hashEvent } from "../../src/audit/chain.js";
import { secretForms } from "../../src/redact/forms.js";
import { masker } from "../../src/redact/index.js";
import {
  dekAad,
  KEY_BYTES,
  open,
  packSealed,
  seal,
  secretAad,
  unpackSealed,
} from "../../src/secret-store/envelope.js";
import { benchSecret } from "../resolve.js";

const secret = benchSecret();
const json = Buffer.from(JSON.stringify(secret));
const kek = randomBytes(KEY_BYTES);
const dek = randomBytes(KEY_BYTES);
const g = "88401908-1fdb-428c-94ba-0a69a5df116f";
const sealed = seal(dek, json, secretAad("bench", g, 1));
const wrapped = packSealed(seal(kek, dek, dekAad("bench", g, 1, "k1")));
const time = (name: string, n: number, fn: () => void) => {
  for (let i = 0; i < 1000; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  console.log(`${name.padEnd(44)} ${(((performance.now() - t0) / n) * 1000).toFixed(2).padStart(8)} us`);
};
time("unwrap DEK + decrypt (2x AES-GCM open)", 20000, () => {
  const d = open(kek, unpackSealed(wrapped), dekAad("bench", g, 1, "k1"), "x");
  open(d, sealed, secretAad("bench", g, 1), "x");
});
time("JSON.parse secret half", 20000, () => JSON.parse(json.toString("utf8")));
time("secretForms(password) (1 value)", 20000, () => secretForms(secret.password));
time("masker.register x3 + release (store path)", 20000, () => {
  const rs = [secret.username, secret.password, secret.extra.sslmode].map((s) => masker.register(s));
  for (const r of rs) r();
});
time("hashEvent (audit chain SHA-256)", 20000, () =>
  hashEvent({
    seq: 1,
    time: new Date().toISOString(),
    tenant: "bench",
    guid: g,
    action: "resolve",
    accessor: "operator:bench",
    outcome: "allowed",
    prevHash: "0".repeat(64),
  }),
);
time("sha256 alone", 20000, () => createHash("sha256").update("x".repeat(200)).digest("hex"));
console.log("forms per password:", secretForms(secret.password).length);
