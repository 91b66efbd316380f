"use client";

import { Component, type ErrorInfo, type ReactNode } from "react";

/**
 * Catches a crash in the call view so the page can offer Retry instead of going blank. The call
 * underneath unmounts (and so disconnects) when this shows its fallback.
 */
export class RoomErrorBoundary extends Component<
  { children: ReactNode; onError: (error: Error) => void; fallback: ReactNode },
  { failed: boolean }
> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: Error, _info: ErrorInfo) {
    // React has already reported the error; the page turns it into the "crashed" failure.
    this.props.onError(error);
  }

  override render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
