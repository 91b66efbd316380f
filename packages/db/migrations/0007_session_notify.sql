-- Web instances keep validated sessions in memory (packages/api/src/auth/lucia.ts). Whatever ends
-- a session or changes what it carries announces the user on `parlor_sessions`, whichever code
-- path (or cascade) did it, and every instance drops that user's cached sessions on commit.
CREATE FUNCTION "parlor_notify_sessions_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('parlor_sessions', "user_id"::text) FROM (SELECT DISTINCT "user_id" FROM "gone") AS "users";
	RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "sessions_notify_deleted" AFTER DELETE ON "sessions"
	REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "parlor_notify_sessions_deleted"();--> statement-breakpoint
CREATE FUNCTION "parlor_notify_user_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('parlor_sessions', OLD."id"::text);
	RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "users_notify_changed" AFTER UPDATE OF "email", "name", "is_admin", "password_hash", "disabled_at" OR DELETE ON "users"
	FOR EACH ROW EXECUTE FUNCTION "parlor_notify_user_changed"();
