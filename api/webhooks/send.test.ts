import { describe, expect, it } from "vitest";
import { isInternalAddress, namesInternalHost } from "./send.ts";

describe("internal destinations", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.1",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254", // cloud metadata
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "::",
    "fd00::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
  ])("%s is internal", (ip) => expect(isInternalAddress(ip)).toBe(true));

  it.each(["8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:1.1.1.1"])(
    "%s is public",
    (ip) => expect(isInternalAddress(ip)).toBe(false),
  );

  it("names localhost and literal internal IPs in URLs, not public names", () => {
    expect(namesInternalHost("http://localhost:8080/x")).toBe(true);
    expect(namesInternalHost("http://api.localhost/x")).toBe(true);
    expect(namesInternalHost("https://[::1]/x")).toBe(true);
    expect(namesInternalHost("https://169.254.169.254/latest/meta-data")).toBe(true);
    expect(namesInternalHost("https://hooks.example.com/dce")).toBe(false);
    expect(namesInternalHost("https://8.8.8.8/dce")).toBe(false);
  });
});
