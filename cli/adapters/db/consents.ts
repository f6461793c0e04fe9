import type { Sql } from './connect.js';

/** A consent as given on the candidate page. */
export interface ConsentRecord {
  at: Date;
  version: string;
  lang: string;
  userAgent: string | null;
}

/** A disclosure the built page shows: its version (hash), language and exact text. */
export interface Disclosure {
  version: string;
  lang: string;
  text: string;
}

/** Consents given for an interview, oldest first. */
export async function listConsents(sql: Sql, interviewId: string): Promise<ConsentRecord[]> {
  return sql<ConsentRecord[]>`select at, version, lang, user_agent from consents where interview_id = ${interviewId} order by id`;
}

/** Keeps the texts of the disclosures a page was built with, so every consent can name its words. */
export async function recordDisclosures(sql: Sql, list: readonly Disclosure[]): Promise<void> {
  if (list.length === 0) return;
  await sql`
    insert into disclosure_versions (version, lang, text)
    select * from unnest(${list.map((d) => d.version)}::text[], ${list.map((d) => d.lang)}::text[], ${list.map((d) => d.text)}::text[])
    on conflict (version) do nothing`;
}

/** The stored texts of these versions. */
export async function disclosureTexts(sql: Sql, versions: string[]): Promise<Disclosure[]> {
  if (versions.length === 0) return [];
  return sql<Disclosure[]>`select version, lang, text from disclosure_versions where version = any(${versions})`;
}
