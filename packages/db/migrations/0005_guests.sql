CREATE TYPE "public"."lobby_status" AS ENUM('waiting', 'admitted', 'denied');--> statement-breakpoint
CREATE TABLE "guest_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"room_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"require_knock" boolean DEFAULT true NOT NULL,
	"guest_count" integer DEFAULT 0 NOT NULL,
	"created_by" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "guest_links_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "guest_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"link_id" uuid NOT NULL,
	"room_id" uuid NOT NULL,
	"identity" text NOT NULL,
	"name" text NOT NULL,
	"ip" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "guest_sessions_identity_unique" UNIQUE("identity")
);
--> statement-breakpoint
CREATE TABLE "lobby_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"room_id" uuid NOT NULL,
	"guest_session_id" text,
	"user_id" uuid,
	"identity" text NOT NULL,
	"name" text NOT NULL,
	"status" "lobby_status" DEFAULT 'waiting' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "locked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "members_create_guest_links" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "guest_links" ADD CONSTRAINT "guest_links_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guest_links" ADD CONSTRAINT "guest_links_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guest_sessions" ADD CONSTRAINT "guest_sessions_link_id_guest_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."guest_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guest_sessions" ADD CONSTRAINT "guest_sessions_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lobby_requests" ADD CONSTRAINT "lobby_requests_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lobby_requests" ADD CONSTRAINT "lobby_requests_guest_session_id_guest_sessions_id_fk" FOREIGN KEY ("guest_session_id") REFERENCES "public"."guest_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lobby_requests" ADD CONSTRAINT "lobby_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lobby_requests" ADD CONSTRAINT "lobby_requests_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "guest_links_room_idx" ON "guest_links" USING btree ("room_id");--> statement-breakpoint
CREATE INDEX "guest_sessions_link_idx" ON "guest_sessions" USING btree ("link_id");--> statement-breakpoint
CREATE INDEX "lobby_requests_room_idx" ON "lobby_requests" USING btree ("room_id","created_at");--> statement-breakpoint
CREATE INDEX "lobby_requests_identity_idx" ON "lobby_requests" USING btree ("identity");