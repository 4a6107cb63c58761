// A dead letter keeps any payload as JSON text, even one nested too deep for JSON.stringify.
import { describe, expect, it } from "vitest";
import { deadLetterId, flatJson, payloadText } from "./dead-letters.ts";

describe("dead-letter payload text", () => {
  it("writes what JSON.stringify writes", () => {
    const samples: unknown[] = [
      { id: "evt_1", data: { a: [1, "two", null, true, { b: [] }], c: {}, 'k"ey': "v\u0000\ud800" } },
      [undefined, () => 1, 1.5, -0, Number.NaN],
      { skipped: undefined, kept: 0 },
      "text",
      42,
      null,
    ];
    for (const s of samples) expect(flatJson(s)).toBe(JSON.stringify(s));
  });

  it("keeps a payload nested deeper than JSON.stringify can go, whole", () => {
    const depth = 200_000;
    const text = `{"id":"evt_deep","data":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const deep = JSON.parse(text);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(payloadText(deep)).toBe(text);
  });

  it("keys a row by event id, or by the payload when it has none", () => {
    expect(deadLetterId({ id: "evt_a", x: 1 })).toBe(deadLetterId({ id: "evt_a", x: 2 }));
    expect(deadLetterId({ x: 1 })).not.toBe(deadLetterId({ x: 2 }));
    expect(deadLetterId({ id: "evt_a" })).toMatch(/^dlq_[0-9a-f]{28}$/);
  });
});
