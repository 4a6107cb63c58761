// The stack's ports kept out of the ephemeral range: parsing the kernel's list and adding to it.
import { describe, expect, it } from "vitest";
import { readRunFile } from "./plan.ts";
import { parseReserved, stackPorts, withReserved } from "./reserved-ports.ts";

describe("reserved ports", () => {
  it("reads the kernel's list of single ports and ranges", () => {
    expect([...parseReserved("80,50000-50002\n")]).toEqual([80, 50000, 50001, 50002]);
    expect(parseReserved("\n").size).toBe(0);
  });

  it("adds only the ports the ephemeral range could hand out, keeping what was there", () => {
    expect(withReserved("9999", [6380, 50101, 50202, 61000], [32768, 60999])).toBe("9999,50101,50202");
    expect(withReserved("50100-50102,50202", [50101, 50202], [32768, 60999])).toBeUndefined();
  });

  it("covers every daprd port of dapr.yaml, placement and the scheduler's etcd", () => {
    const ports = stackPorts(readRunFile("dapr.yaml"), 8080);
    for (const app of readRunFile("dapr.yaml")) {
      expect(ports).toEqual(expect.arrayContaining([app.daprGRPCPort, app.daprInternalGRPCPort]));
    }
    expect(ports).toEqual(expect.arrayContaining([50005, 50006, 52379, 52380, 8080]));
  });
});
