// Where the exchange may send a request (RTB pings, webhooks, later pixels and postbacks): the pure
// classifier of hosts and addresses, and the URL rules applied when a URL is saved and again before
// connecting. Internal destinations (loopback, private, link-local, metadata...) are refused; the
// local-stack switch lets http and loopback through, nothing else. actors/platform/egress.ts does the I/O.

export type AddressClass =
  | "public"
  | "loopback"
  | "unspecified"
  | "private"
  | "cgnat"
  | "link_local"
  | "metadata"
  | "multicast"
  | "reserved";

type Range4 = [base: number, bits: number, cls: AddressClass];

// First match wins, so the narrower metadata addresses come before the ranges that hold them.
const V4: Range4[] = [
  [ip4(169, 254, 169, 254), 32, "metadata"], // AWS, GCP, Azure, OpenStack
  [ip4(169, 254, 170, 2), 32, "metadata"], // AWS ECS task metadata
  [ip4(100, 100, 100, 200), 32, "metadata"], // Alibaba Cloud
  [ip4(192, 0, 0, 192), 32, "metadata"], // Oracle Cloud
  [ip4(0, 0, 0, 0), 8, "unspecified"],
  [ip4(10, 0, 0, 0), 8, "private"],
  [ip4(100, 64, 0, 0), 10, "cgnat"],
  [ip4(127, 0, 0, 0), 8, "loopback"],
  [ip4(169, 254, 0, 0), 16, "link_local"],
  [ip4(172, 16, 0, 0), 12, "private"],
  [ip4(192, 0, 0, 0), 24, "reserved"], // IETF protocol assignments
  [ip4(192, 0, 2, 0), 24, "reserved"], // documentation
  [ip4(192, 88, 99, 0), 24, "reserved"], // 6to4 relay anycast
  [ip4(192, 168, 0, 0), 16, "private"],
  [ip4(198, 18, 0, 0), 15, "reserved"], // benchmarking
  [ip4(198, 51, 100, 0), 24, "reserved"],
  [ip4(203, 0, 113, 0), 24, "reserved"],
  [ip4(224, 0, 0, 0), 4, "multicast"],
  [ip4(240, 0, 0, 0), 4, "reserved"], // includes broadcast 255.255.255.255
];

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function classifyV4(n: number): AddressClass {
  for (const [base, bits, cls] of V4) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === base) return cls;
  }
  return "public";
}

function parseV4(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255))
    return undefined;
  const [a, b, c, d] = parts.map(Number) as [number, number, number, number];
  return ip4(a, b, c, d);
}

/** Eight 16-bit groups, or undefined when `s` is not an IPv6 address (zone ids are refused). */
function parseV6(s: string): number[] | undefined {
  if (!/^[0-9a-f:.]+$/i.test(s)) return undefined;
  let text = s;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseV4(dotted[2]!);
    if (v4 === undefined) return undefined;
    tail.push(v4 >>> 16, v4 & 0xffff);
    text = dotted[1]!.endsWith("::") ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const fill = new Array<number>(8 - known).fill(0);
  return [...head.map((g) => parseInt(g, 16)), ...fill, ...rest.map((g) => parseInt(g, 16)), ...tail];
}

function classifyV6(g: number[]): AddressClass {
  const v4At = (i: number) => classifyV4(((g[i]! << 16) | g[i + 1]!) >>> 0);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return "unspecified";
  if (zeros(0, 7) && g[7] === 1) return "loopback";
  if (zeros(0, 5) && g[5] === 0xffff) return v4At(6); // IPv4-mapped ::ffff:a.b.c.d
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4At(6); // IPv4-translated ::ffff:0:a.b.c.d
  if (zeros(0, 6)) return v4At(6); // IPv4-compatible ::a.b.c.d (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4At(6); // NAT64 64:ff9b::/96
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return "reserved"; // local-use NAT64 64:ff9b:1::/48
  if (g[0] === 0x2002) return v4At(1); // 6to4 2002:a.b.c.d::/48
  if (g[0] === 0x2001 && g[1] === 0) return "reserved"; // Teredo: a tunnel hides its real endpoint
  if (g[0] === 0x2001 && g[1] === 0xdb8) return "reserved"; // documentation
  if (g[0] === 0x100 && zeros(1, 4)) return "reserved"; // discard-only 100::/64
  if (g[0] === 0xfd00 && g[1] === 0xec2 && zeros(2, 7) && g[7] === 0x254) return "metadata"; // AWS
  if ((g[0]! & 0xfe00) === 0xfc00) return "private"; // unique-local fc00::/7
  if ((g[0]! & 0xffc0) === 0xfe80) return "link_local"; // fe80::/10
  if ((g[0]! & 0xffc0) === 0xfec0) return "private"; // site-local fec0::/10 (deprecated)
  if ((g[0]! & 0xff00) === 0xff00) return "multicast";
  return "public";
}

/** The class of an IP address literal (IPv4 dotted quad, or IPv6 with or without brackets); undefined if not one. */
export function classifyAddress(address: string): AddressClass | undefined {
  const bare = address.replace(/^\[(.*)\]$/, "$1");
  const v4 = parseV4(bare);
  if (v4 !== undefined) return classifyV4(v4);
  const v6 = bare.includes(":") ? parseV6(bare) : undefined;
  return v6 ? classifyV6(v6) : undefined;
}

/**
 * The class of a URL host as WHATWG URL parsing reads it, so odd IPv4 spellings (`2130706433`,
 * `0x7f.1`, `0177.0.0.1`, `127.1`) count as the address they name; `localhost` and `*.localhost` are
 * loopback; undefined for any other DNS name (its resolved addresses decide) or an unparsable host.
 */
export function classifyHost(host: string): AddressClass | undefined {
  let name: string;
  try {
    name = new URL(`http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}/`).hostname;
  } catch {
    return undefined;
  }
  name = name.replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return "loopback";
  return classifyAddress(name);
}

/** Whether a destination of this class may be connected to; the local-stack switch adds loopback only. */
export function allowedClass(cls: AddressClass, allowLocal: boolean): boolean {
  return cls === "public" || (allowLocal && cls === "loopback");
}

const CLASS_WORDS: Record<Exclude<AddressClass, "public">, string> = {
  loopback: "a loopback address",
  unspecified: "an unspecified address",
  private: "a private-network address",
  cgnat: "a carrier-grade NAT address",
  link_local: "a link-local address",
  metadata: "a cloud metadata address",
  multicast: "a multicast address",
  reserved: "a reserved address",
};

export function describeClass(cls: Exclude<AddressClass, "public">): string {
  return CLASS_WORDS[cls];
}

/**
 * Why this URL may not be an outbound destination, or undefined if it may (as far as can be told
 * without DNS): an http(s) URL without credentials, https unless `allowLocal`, and a host that is not
 * an internal address literal or localhost.
 */
export function urlRefusal(raw: string, allowLocal: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an https URL";
  if (url.protocol === "http:" && !allowLocal) return "must be an https URL";
  if (url.username !== "" || url.password !== "") return "must not carry credentials";
  const cls = classifyHost(url.hostname);
  if (cls !== undefined && !allowedClass(cls, allowLocal))
    return `must not point to ${describeClass(cls as Exclude<AddressClass, "public">)}`;
  return undefined;
}
