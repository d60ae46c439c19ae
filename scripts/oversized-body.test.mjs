#!/usr/bin/env node
// Over-limit request bodies under the local stack (`startStack`), sent the way a client streams them: chunked
// without Content-Length, or with one. Every answer must be a 413 problem+json. Found in use: a
// 10 MB chunked upload sometimes got wrangler's own text/plain 500 with a stack trace ("Network
// connection lost"), because the worker cancelled the half-read body while the local runtime's
// proxy was still forwarding it (packages/edge/src/validation.ts now drains it instead).
//
// Starts the simulator and two workers on ST_EDGE_PORT_BASE (default 8786), loopback only.
//   node --test scripts/oversized-body.test.mjs
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, test } from "node:test";
import { callerKey, portBase, startStack, writeDevVars } from "./lib/local-stack.mjs";

const BASE = portBase(8786);
const TEN_MB = 10 * 1024 * 1024;
/** The old failure came about every other upload: this many make a pass by luck unlikely (1 in 2^6). */
const TRIES = 6;

const key = callerKey();
let stack;

before(async () => {
  const workers = [
    { name: "tax-zones", port: BASE + 2 },
    { name: "payment-posting", port: BASE + 5 },
  ];
  writeDevVars(
    key,
    workers.map((worker) => worker.name),
  );
  stack = await startStack({ simulatorPort: BASE, workers });
});

after(() => stack?.stop());

/** POSTs `size` bytes of JSON-ish filler in 64 KiB writes; resolves with the answer. */
function upload(url, { size, chunked, headers = {} }) {
  return new Promise((resolve, reject) => {
    const sent = { "Content-Type": "application/json", Authorization: `Bearer ${key}`, ...headers };
    if (!chunked) sent["Content-Length"] = String(size);
    const req = request(url, { method: "POST", headers: sent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (part) => {
        body += part;
      });
      res.on("end", () => resolve({ status: res.statusCode, type: res.headers["content-type"], body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    const piece = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    const write = () => {
      while (written < size) {
        written += piece.length;
        if (!req.write(piece)) {
          req.once("drain", write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

const routes = () => [
  ["a tax quote (4 KiB limit)", `${stack.url("tax-zones")}/tax-zones/1/quote`, {}],
  [
    "a payment (16 KiB limit)",
    `${stack.url("payment-posting")}/payments`,
    { "Idempotency-Key": "oversized-1" },
  ],
];

for (const chunked of [true, false]) {
  test(`a 10 MB body ${chunked ? "streamed chunked, without Content-Length" : "with Content-Length"} gets a 413 problem every time`, async () => {
    for (const [label, url, headers] of routes()) {
      for (let attempt = 1; attempt <= (chunked ? TRIES : 2); attempt++) {
        const answer = await upload(url, { size: TEN_MB, chunked, headers });
        assert.equal(answer.status, 413, `${label}, upload ${attempt}: ${answer.body.slice(0, 200)}`);
        assert.equal(answer.type, "application/problem+json");
        assert.match(answer.body, /"type":"urn:st-edge:problem:payload-too-large"/);
      }
    }
  });
}
