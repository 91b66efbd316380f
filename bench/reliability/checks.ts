/** What a response must never carry, whatever was sent. */

/** A V8 stack frame ("    at fn (/path/file.js:1:2)") or a Node/Next internal path. */
const STACK =
  /\n\s+at\s+\S.*(\(|\s)[^\s()]*:\d+:\d+\)?|\/node_modules\/|webpack-internal:|\[project\]\/|\.next\/server/;

/** Postgres and drizzle error texts: a query or a database error leaking out. */
const SQL = [
  /Failed query:/i,
  /syntax error at or near/i,
  /violates (unique|foreign key|not-null|check) constraint/i,
  /duplicate key value/i,
  /relation "[a-z_]+"/i,
  /column "[a-z_]+" (of relation|does not exist)/i,
  /invalid input syntax for type/i,
  /\bselect\b[^"]{0,200}\bfrom\s+"[a-z_]+"/i,
  /\binsert into\s+"[a-z_]+"/i,
  /password_hash/i,
  /\$argon2/,
];

export interface Secrets {
  livekitApiSecret: string;
  databaseUrl: string;
}

/** Why `text` must not be sent to a client, or null when it is clean. */
export function leakIn(text: string, secrets: Secrets): string | null {
  if (STACK.test(text)) return `a stack trace or server path: ${text.slice(0, 300)}`;
  for (const pattern of SQL)
    if (pattern.test(text)) return `SQL or a database error (${pattern}): ${text.slice(0, 300)}`;
  if (text.includes(secrets.livekitApiSecret)) return "the LiveKit API secret";
  if (text.includes(secrets.databaseUrl)) return "the database URL";
  const { password, username, pathname } = new URL(secrets.databaseUrl);
  if (password && text.includes(password)) return "the database password";
  if (text.includes(`${username}@`) && text.includes(pathname)) return "the database URL's user and name";
  return null;
}
