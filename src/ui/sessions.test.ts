import { describe, expect, it } from "vitest";
import { createSessionStore, safeEqual } from "./sessions.js";

const hash = Buffer.alloc(32, 1);

describe("UI session store", () => {
  it("creates random ids and CSRF tokens and finds a session by its id only", () => {
    const s = createSessionStore();
    const a = s.create(hash);
    const b = s.create(hash);
    expect(a.id).not.toBe(b.id);
    expect(a.session.csrfToken).not.toBe(b.session.csrfToken);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.get(a.id)).toBe(a.session);
    expect(s.get(`${a.id}x`)).toBeUndefined();
    expect(s.get(undefined)).toBeUndefined();
    expect(s.get("x".repeat(500))).toBeUndefined();
  });

  it("ends a session after the idle time, and after the absolute time even when used", () => {
    let now = 0;
    const s = createSessionStore({ idleMs: 100, absoluteMs: 250 }, () => now);
    const { id } = s.create(hash);
    now = 90;
    expect(s.get(id)).toBeDefined(); // touched at 90
    now = 180;
    expect(s.get(id)).toBeDefined(); // 90 ms idle
    now = 240;
    expect(s.get(id)).toBeDefined();
    now = 260; // past the absolute limit
    expect(s.get(id)).toBeUndefined();
    const other = s.create(hash).id;
    now = 400; // idle too long
    expect(s.get(other)).toBeUndefined();
    expect(s.size()).toBe(0);
  });

  it("deletes on sign-out and drops the oldest beyond the maximum", () => {
    const s = createSessionStore({ max: 2 });
    const first = s.create(hash).id;
    const second = s.create(hash).id;
    const third = s.create(hash).id;
    expect(s.get(first)).toBeUndefined();
    expect(s.get(second)).toBeDefined();
    s.delete(third);
    expect(s.get(third)).toBeUndefined();
    expect(s.size()).toBe(1);
  });

  it("compares CSRF tokens exactly", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
    expect(safeEqual("", "")).toBe(true);
  });
});
