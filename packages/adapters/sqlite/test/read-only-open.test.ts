import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteStore, migrate, migrationStatus } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "sqlite-read-only-"));
const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("readOnly: looking at a file writes nothing to it", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("an empty file reports every migration pending and stays empty, without a WAL switch or companion files", async () => {
    const file = join(dir, "empty.db");
    writeFileSync(file, "");
    const store = await createSqliteStore({ filename: file, readOnly: true });
    expect((await migrationStatus(store)).current).toBeNull();
    await store.close();
    expect(readFileSync(file).length).toBe(0);
    expect(readdirSync(dir).filter((name) => name.startsWith("empty.db"))).toEqual(["empty.db"]);
  });

  it("a file that is not a database fails on first read with SQLITE_NOTADB and is left byte for byte as it was", async () => {
    const file = join(dir, "notes.db");
    writeFileSync(file, "these are my notes, not a database\n".repeat(200));
    const before = digest(file);
    const store = await createSqliteStore({ filename: file, readOnly: true });
    await expect(migrationStatus(store)).rejects.toMatchObject({ code: "SQLITE_NOTADB" });
    await store.close();
    expect(digest(file)).toBe(before);
  });

  it("a missing file is refused instead of created, and a migrated file reads normally", async () => {
    await expect(createSqliteStore({ filename: join(dir, "missing.db"), readOnly: true })).rejects.toThrow();
    expect(readdirSync(dir)).not.toContain("missing.db");
    const file = join(dir, "migrated.db");
    const writable = await createSqliteStore({ filename: file });
    await migrate(writable);
    await writable.close();
    const store = await createSqliteStore({ filename: file, readOnly: true });
    expect((await migrationStatus(store)).pending).toEqual([]);
    await store.close();
  });
});
