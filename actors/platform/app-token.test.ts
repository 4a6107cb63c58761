import { describe, expect, it } from "vitest";
import { callbackAllowed, tokenMatches } from "./app-token.ts";

const TOKEN = "0123456789abcdef0123456789abcdef";

describe("tokenMatches", () => {
  it("accepts only the exact token", () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN, undefined)).toBe(false);
    expect(tokenMatches(TOKEN, "")).toBe(false);
    expect(tokenMatches(TOKEN, TOKEN.slice(0, -1))).toBe(false);
    expect(tokenMatches(TOKEN, `${TOKEN}0`)).toBe(false);
    expect(tokenMatches(TOKEN, TOKEN.toUpperCase())).toBe(false);
  });

  it("never matches when no token is configured", () => {
    expect(tokenMatches("", "")).toBe(false);
    expect(tokenMatches("", undefined)).toBe(false);
  });
});

describe("callbackAllowed", () => {
  it("lets daprd's health probe through without a token, and nothing else", () => {
    expect(callbackAllowed("GET", "/healthz", undefined, TOKEN)).toBe(true);
    expect(callbackAllowed("POST", "/healthz", undefined, TOKEN)).toBe(false);
    expect(callbackAllowed("GET", "/healthz/x", undefined, TOKEN)).toBe(false);
    expect(callbackAllowed("GET", "/dapr/config", undefined, TOKEN)).toBe(false);
    expect(callbackAllowed("PUT", "/actors/BuyerActor/b1/method/reserve", "nope", TOKEN)).toBe(false);
    expect(callbackAllowed("PUT", "/actors/BuyerActor/b1/method/reserve", TOKEN, TOKEN)).toBe(true);
  });
});
