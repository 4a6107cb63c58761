// The egress classifier over every internal form (these addresses are inputs only, never connected to).
import { describe, expect, it } from "vitest";
import { type AddressClass, allowedClass, classifyAddress, classifyHost, urlRefusal } from "./egress.ts";

describe("classifyAddress", () => {
  it.each<[string, AddressClass]>([
    ["127.0.0.1", "loopback"],
    ["127.8.9.1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.254", "cgnat"],
    ["169.254.169.254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["100.100.100.200", "metadata"],
    ["169.254.1.1", "link_local"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["198.18.0.1", "reserved"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fd00:ec2::254", "metadata"],
    ["[fd00:ec2::254]", "metadata"],
    ["fe80::1", "link_local"],
    ["febf::1", "link_local"],
    ["fec0::1", "private"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["[::ffff:127.0.0.1]", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::FFFF:7F00:0001", "loopback"],
    ["0:0:0:0:0:ffff:a00:1", "private"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:0:a00:1", "private"], // IPv4-translated
    ["::127.0.0.1", "loopback"], // IPv4-compatible
    ["::7f00:1", "loopback"],
    ["::a00:1", "private"],
    ["64:ff9b::10.0.0.1", "private"], // NAT64
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["64:ff9b:1::1", "reserved"],
    ["2002:7f00:1::", "loopback"], // 6to4
    ["2002:c0a8:101::1", "private"],
    ["2001:0:4136:e378::1", "reserved"], // Teredo
    ["2001:db8::1", "reserved"],
  ])("%s is %s", (ip, cls) => expect(classifyAddress(ip)).toBe(cls));

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700::1111",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("%s is public", (ip) => expect(classifyAddress(ip)).toBe("public"));

  it("is undefined for names and malformed literals", () => {
    for (const s of ["example.com", "1.2.3", "256.1.1.1", "01.2.3.4", "1::2::3", "fe80::1%eth0", "12345::"])
      expect(classifyAddress(s)).toBeUndefined();
  });
});

describe("classifyHost (as WHATWG URL reads a host)", () => {
  it.each<[string, AddressClass]>([
    ["2130706433", "loopback"], // decimal
    ["0x7f000001", "loopback"], // hex
    ["0177.0.0.1", "loopback"], // octal
    ["017700000001", "loopback"],
    ["127.1", "loopback"], // short form
    ["0x7f.1", "loopback"],
    ["0", "unspecified"],
    ["0xa9fea9fe", "metadata"],
    ["10.1", "private"],
    ["127.0.0.1.", "loopback"],
    ["127。0。0。1", "loopback"], // ideographic full stops
    ["localhost", "loopback"],
    ["LOCALHOST.", "loopback"],
    ["api.localhost", "loopback"],
    ["[::ffff:127.0.0.1]", "loopback"],
    ["::ffff:7f00:1", "loopback"],
  ])("%s is %s", (host, cls) => expect(classifyHost(host)).toBe(cls));

  it("leaves other names to their resolved addresses", () => {
    expect(classifyHost("hooks.example.com")).toBeUndefined();
    expect(classifyHost("notlocalhost.example")).toBeUndefined();
  });
});

describe("allowedClass", () => {
  it("lets only public addresses through, plus loopback with the local-stack switch", () => {
    expect(allowedClass("public", false)).toBe(true);
    expect(allowedClass("loopback", false)).toBe(false);
    expect(allowedClass("loopback", true)).toBe(true);
    for (const cls of [
      "private",
      "cgnat",
      "link_local",
      "metadata",
      "multicast",
      "unspecified",
      "reserved",
    ] as const)
      expect(allowedClass(cls, true), cls).toBe(false);
  });
});

describe("urlRefusal", () => {
  it("accepts a public https URL", () => {
    expect(urlRefusal("https://bids.example.com/v1/ping?t=1", false)).toBeUndefined();
    expect(urlRefusal("https://8.8.8.8/x", false)).toBeUndefined();
  });

  it("requires https unless the local-stack switch is on", () => {
    expect(urlRefusal("http://bids.example.com/", false)).toBe("must be an https URL");
    expect(urlRefusal("http://bids.example.com/", true)).toBeUndefined();
    expect(urlRefusal("ftp://bids.example.com/", true)).toBe("must be an https URL");
    expect(urlRefusal("not a url", true)).toBe("must be an absolute URL");
  });

  it("refuses credentials in the URL", () => {
    expect(urlRefusal("https://user:pw@bids.example.com/", false)).toBe("must not carry credentials");
    expect(urlRefusal("https://token@bids.example.com/", true)).toBe("must not carry credentials");
  });

  it("refuses internal literals in every spelling; the switch lets loopback through, nothing else", () => {
    for (const url of [
      "https://127.0.0.1:3501/v1.0/shutdown",
      "https://2130706433/",
      "https://0x7f.1/",
      "https://[::1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://localhost/",
    ]) {
      expect(urlRefusal(url, false), url).toBe("must not point to a loopback address");
      expect(urlRefusal(url, true), url).toBeUndefined();
    }
    for (const [url, words] of [
      ["https://10.0.0.1/", "a private-network address"],
      ["https://172.16.5.4/", "a private-network address"],
      ["https://192.168.0.1/", "a private-network address"],
      ["https://100.64.1.1/", "a carrier-grade NAT address"],
      ["http://169.254.169.254/latest/meta-data", "a cloud metadata address"],
      ["https://[fd00:ec2::254]/", "a cloud metadata address"],
      ["https://[::ffff:10.0.0.1]/", "a private-network address"],
      ["https://[fc00::1]/", "a private-network address"],
      ["https://[fe80::1]/", "a link-local address"],
      ["https://224.0.0.1/", "a multicast address"],
      ["https://0.0.0.0/", "an unspecified address"],
    ] as const) {
      expect(urlRefusal(url, true), url).toBe(`must not point to ${words}`);
    }
  });
});
