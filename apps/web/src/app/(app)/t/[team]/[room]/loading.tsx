import { RoomSetupCard } from "@/features/room/prejoin/room-setup-card";

/** While the server looks the room up: the same card the set-up continues with, so nothing jumps. */
export default function Loading() {
  return (
    <div className="flex min-h-[calc(100dvh-3.5rem)] items-center justify-center px-4 py-8">
      <RoomSetupCard step="preparing" roomTitle="the room" />
    </div>
  );
}
