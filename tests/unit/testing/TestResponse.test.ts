import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TestResponse } from "masonite/testing";

function page(html: string, status = 200, headers: Record<string, string> = {}): TestResponse {
  return new TestResponse(status, new Headers({ "content-type": "text/html", ...headers }), html, {});
}

/** The message of the assertion `run` makes fail. */
function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail("the assertion passed");
}

describe("assertSee and assertDontSee search the same way", () => {
  const html = '<form><input name="title" value="nope"><p>Tom &amp; Jerry &lt;3</p></form>';

  test("markup is found as it is, printed text also in its escaped form", () => {
    page(html).assertSee('value="nope"').assertSee("Tom & Jerry <3").assertSee("Tom &amp; Jerry");
    page(html).assertDontSee('value="other"').assertDontSee("Tom & Tom");
  });

  test("assertDontSee refuses exactly what assertSee finds", () => {
    for (const text of ['value="nope"', "Tom & Jerry <3", "Tom &amp; Jerry"]) {
      const message = failure(() => page(html).assertDontSee(text));
      assert.match(message, new RegExp(`^expected not to see ${JSON.stringify(text).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    }
  });

  test("a failure names what was searched for, both forms when escaping changes it", () => {
    const message = failure(() => page(html).assertSee('value="yes"'));
    assert.match(message, /^expected to see "value=\\"yes\\"" \(or, escaped, "value=&quot;yes&quot;"\) in the page:\n<form>/);
    assert.match(failure(() => page(html).assertSee("absent")), /^expected to see "absent" in the page:/);
  });
});

describe("status assertions say where a redirect went", () => {
  test("assertOk and assertStatus on a redirect show its Location instead of an empty body", () => {
    const redirect = page("", 302, { location: "/login" });
    assert.equal(failure(() => redirect.assertOk()), "expected a 2xx status, got 302: a redirect to /login");
    assert.match(failure(() => redirect.assertStatus(200)), /^expected status 200, got 302: a redirect to \/login\n/);
    assert.match(failure(() => page("<h1>Server error</h1>", 500).assertOk()), /^expected a 2xx status, got 500: <h1>Server error<\/h1>/);
  });
});
