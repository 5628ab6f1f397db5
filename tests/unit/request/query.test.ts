import assert from "node:assert/strict";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { test } from "node:test";
import Koa from "koa";
import { Request } from "masonite/request";
import { contextFor } from "../../support/httpContext";

function koaContext(url: string): Koa.Context {
  const req = new IncomingMessage(new Socket());
  req.method = "GET";
  req.url = url;
  req.headers = { host: "app.test" };
  return new Koa().createContext(req, new ServerResponse(req));
}

test("Request reads the query string as Koa's ctx.query does, without the keys that pollute prototypes", () => {
  const queries = ["q=1", "a=1&a=2&a=3", "a", "=1", "a=%zz", "a=%FF", "a+b=c+d", "a=1&&b=2", "%61=b", "a[b]=1", "a=b=c", "x=%F0%9F%98%80", "?a=1", "a=%20%2B", "constructor=2&__proto__=1&prototype=3&ok=1"];
  for (const query of queries) {
    const koa = koaContext(`/p?${query}`);
    const expected = Object.fromEntries(Object.entries(koa.query).filter(([key]) => !["__proto__", "constructor", "prototype"].includes(key)));
    const input = new Request(contextFor(koaContext(`/p?${query}`))).all();
    assert.deepEqual({ ...input }, expected, query);
    assert.equal(Object.getPrototypeOf(input), null);
  }
});

test("input() reads a plain name and a dotted one; a GET's input is worked out once", () => {
  const request = new Request(contextFor(koaContext("/p?q=1&user.name=x")));
  assert.equal(request.input("q"), "1");
  assert.equal(request.input("user.name"), undefined);
  assert.equal(request.input("missing", "d"), "d");
  assert.equal(request.all(), request.all());
});
