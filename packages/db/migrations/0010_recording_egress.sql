ALTER TABLE "recordings" ADD COLUMN "egress_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "recordings_egress_idx" ON "recordings" USING btree ("egress_id");