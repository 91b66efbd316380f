"use client";

import { cn } from "@parlor/ui/lib/utils";
import {
  isTrackReference,
  TrackLoop,
  useLayoutContext,
  usePinnedTracks,
  useSpeakingParticipants,
  useSwipe,
  useTracks,
  type TrackReferenceOrPlaceholder,
} from "@livekit/components-react";
import { RoomEvent, Track } from "livekit-client";
import { ChevronLeftIcon, ChevronRightIcon } from "lucide-react";
import { useEffect, useRef, useState, type RefObject } from "react";

import { gridLayout } from "./grid-layout";
import { ParticipantTile, sameTrackRef } from "./participant-tile";

export type LayoutMode = "grid" | "speaker";

/**
 * The video area. Grid: everyone the same size (paged when there are too many). Speaker: the
 * person speaking large, the others in a strip. Anything pinned — and a new screen share, which
 * pins itself — takes the large spot in either mode.
 */
export function Stage({ mode, className }: { mode: LayoutMode; className?: string }) {
  const tracks = useTracks(
    [
      { source: Track.Source.Camera, withPlaceholder: true },
      { source: Track.Source.ScreenShare, withPlaceholder: false },
    ],
    { updateOnlyOn: [RoomEvent.ActiveSpeakersChanged], onlySubscribed: false },
  );
  const layout = useLayoutContext();
  const pinned = usePinnedTracks(layout)[0];
  useAutoFocusScreenShare(tracks);
  const speaker = useStickySpeaker(tracks);

  const focus = pinned ?? (mode === "speaker" ? speaker : undefined);
  if (!focus || tracks.length < 2) {
    return (
      <div className={cn("flex min-h-0 flex-col", className)} data-layout="grid">
        <PagedGrid tracks={tracks} />
      </div>
    );
  }
  const others = tracks.filter((t) => !sameTrackRef(t, focus));
  return (
    <div
      className={cn(
        "grid min-h-0 grid-rows-[minmax(0,1fr)_auto] gap-2 md:grid-cols-[minmax(0,1fr)_12rem] md:grid-rows-1 lg:grid-cols-[minmax(0,1fr)_15rem]",
        className,
      )}
      data-layout="focus"
    >
      <div className="min-h-0">
        <ParticipantTile trackRef={focus} />
      </div>
      <div
        role="list"
        aria-label="Other participants"
        className="flex min-h-0 gap-2 overflow-x-auto pb-1 md:flex-col md:overflow-x-hidden md:overflow-y-auto md:pb-0"
      >
        <TrackLoop tracks={others}>
          <div role="listitem" className="aspect-video w-36 shrink-0 md:w-full">
            <ParticipantTile />
          </div>
        </TrackLoop>
      </div>
    </div>
  );
}

/** The grid, with accessible page buttons (and swipe) when not everyone fits. */
function PagedGrid({ tracks }: { tracks: TrackReferenceOrPlaceholder[] }) {
  const gridRef = useRef<HTMLDivElement>(null);
  const size = useElementSize(gridRef);
  const layout = gridLayout(tracks.length, size.width, size.height);
  const pagination = usePages(tracks, layout.maxTiles);
  useSwipe(gridRef as RefObject<HTMLElement>, {
    onLeftSwipe: pagination.nextPage,
    onRightSwipe: pagination.prevPage,
  });
  const paged = pagination.totalPageCount > 1;
  // A page that is not full uses only the rows and columns it fills.
  const onPage = Math.max(1, pagination.tracks.length);
  const columns = Math.min(layout.columns, onPage);
  const rows = Math.min(layout.rows, Math.ceil(onPage / columns));

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={gridRef}
        className="absolute inset-0 grid gap-2"
        style={{
          gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
          gridTemplateRows: `repeat(${rows}, minmax(0, 1fr))`,
        }}
      >
        <TrackLoop tracks={pagination.tracks}>
          <ParticipantTile />
        </TrackLoop>
      </div>
      {paged ? (
        <div className="absolute bottom-3 left-1/2 flex -translate-x-1/2 items-center gap-1 rounded-full bg-black/70 p-1 text-sm text-white">
          <button
            type="button"
            onClick={pagination.prevPage}
            disabled={pagination.currentPage <= 1}
            aria-label="Previous page of participants"
            className="flex size-8 items-center justify-center rounded-full hover:bg-white/15 focus-visible:ring-2 focus-visible:ring-white disabled:opacity-40"
          >
            <ChevronLeftIcon className="size-4" aria-hidden="true" />
          </button>
          <span aria-live="polite" className="px-1 tabular-nums">
            {pagination.currentPage} of {pagination.totalPageCount}
          </span>
          <button
            type="button"
            onClick={pagination.nextPage}
            disabled={pagination.currentPage >= pagination.totalPageCount}
            aria-label="Next page of participants"
            className="flex size-8 items-center justify-center rounded-full hover:bg-white/15 focus-visible:ring-2 focus-visible:ring-white disabled:opacity-40"
          >
            <ChevronRightIcon className="size-4" aria-hidden="true" />
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** The element's content size, followed as it changes (0×0 until measured). */
function useElementSize(ref: RefObject<HTMLElement | null>) {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const { width, height } = entry.contentRect;
      setSize((current) =>
        current.width === width && current.height === height ? current : { width, height },
      );
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/**
 * Splits the tiles into pages, in the order given. (LiveKit's `usePagination` reorders tiles to
 * keep them visually stable, and its reordering throws — logged as a console error — when a
 * camera placeholder turns into a real track, as happens on every join with the camera on.)
 */
export function usePages<T>(items: T[], perPage: number) {
  const [page, setPage] = useState(1);
  const size = Math.max(1, perPage);
  const totalPageCount = Math.max(1, Math.ceil(items.length / size));
  const currentPage = Math.min(page, totalPageCount);
  return {
    tracks: items.slice((currentPage - 1) * size, currentPage * size),
    currentPage,
    totalPageCount,
    nextPage: () => setPage(Math.min(currentPage + 1, totalPageCount)),
    prevPage: () => setPage(Math.max(currentPage - 1, 1)),
  };
}

/** A newly shared screen takes the large spot; when it stops, the spot is given back. */
function useAutoFocusScreenShare(tracks: TrackReferenceOrPlaceholder[]) {
  const layout = useLayoutContext();
  const autoFocused = useRef<TrackReferenceOrPlaceholder | null>(null);
  const screens = tracks.filter(
    (t) =>
      isTrackReference(t) &&
      t.source === Track.Source.ScreenShare &&
      (t.participant.isLocal || t.publication.isSubscribed),
  );
  const key = screens.map((t) => `${t.participant.identity}:${t.publication?.trackSid}`).join(",");
  const pinnedKey = (layout.pin.state ?? []).map((t) => `${t.participant.identity}:${t.source}`).join(",");

  useEffect(() => {
    const current = autoFocused.current;
    const newest = screens[screens.length - 1];
    if (current && !screens.some((s) => sameTrackRef(s, current))) {
      // The auto-focused share ended: unpin it (unless someone pinned something else since).
      if ((layout.pin.state ?? []).some((p) => sameTrackRef(p, current)))
        layout.pin.dispatch?.({ msg: "clear_pin" });
      autoFocused.current = null;
    }
    if (newest && !autoFocused.current && !(layout.pin.state ?? []).some((p) => sameTrackRef(p, newest))) {
      if ((layout.pin.state ?? []).length === 0) {
        layout.pin.dispatch?.({ msg: "set_pin", trackReference: newest });
        autoFocused.current = newest;
      }
    }
    // Keyed on the screen shares and pins present, not on the array identities.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, pinnedKey]);
}

/** Who gets the large spot in speaker mode: the last remote person who spoke (you, when alone). */
function useStickySpeaker(tracks: TrackReferenceOrPlaceholder[]): TrackReferenceOrPlaceholder | undefined {
  const speaking = useSpeakingParticipants();
  const [identity, setIdentity] = useState<string | null>(null);
  const loudest = speaking.find((p) => !p.isLocal)?.identity ?? null;
  if (loudest && loudest !== identity) setIdentity(loudest);

  const cameras = tracks.filter((t) => t.source === Track.Source.Camera);
  return (
    cameras.find((t) => t.participant.identity === identity) ??
    cameras.find((t) => !t.participant.isLocal) ??
    cameras[0]
  );
}
