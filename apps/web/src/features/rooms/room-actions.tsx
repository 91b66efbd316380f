"use client";

import { renameRoomInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@parlor/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@parlor/ui/dropdown-menu";
import { toast } from "@parlor/ui/toaster";
import { EllipsisIcon, LockIcon, LockOpenIcon, PencilIcon, Trash2Icon } from "lucide-react";
import { useRef, useState, type FormEvent } from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { validate } from "@/lib/forms";
import { useFormErrors } from "@/lib/use-form-errors";
import { api } from "@/trpc/react";

interface Room {
  slug: string;
  name: string;
  encrypted?: boolean;
}

/**
 * Rename and end-to-end encryption on or off (the team's owners and admins), and delete (they, and whoever created the room while
 * nobody has met in it).
 */
export function RoomActions({
  teamSlug,
  room,
  canRename,
  canDelete,
}: {
  teamSlug: string;
  room: Room;
  canRename: boolean;
  canDelete: boolean;
}) {
  const [dialog, setDialog] = useState<"rename" | "encryption" | "delete" | null>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  // Opening a dialog from the menu: the menu must not take focus back to its button as it closes.
  const openingDialog = useRef(false);
  const open = (which: "rename" | "encryption" | "delete") => {
    openingDialog.current = true;
    setDialog(which);
  };
  // Back to the menu's button when a dialog closes, not to the page's body.
  const close = () => {
    setDialog(null);
    requestAnimationFrame(() => triggerRef.current?.focus());
  };
  return (
    <>
      {/* Not modal: a dialog opens from it, and the two must not fight over focus and pointer events. */}
      <DropdownMenu modal={false}>
        <DropdownMenuTrigger asChild>
          <Button
            ref={triggerRef}
            variant="ghost"
            size="icon-sm"
            aria-label={`Manage ${room.name}`}
            title="Rename, encryption, delete"
            className="-mt-1 -mr-2"
          >
            <EllipsisIcon aria-hidden="true" />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent
          align="end"
          className="w-60"
          onCloseAutoFocus={(event) => {
            if (openingDialog.current) event.preventDefault();
            openingDialog.current = false;
          }}
        >
          {canRename ? (
            <DropdownMenuItem onSelect={() => open("rename")}>
              <PencilIcon aria-hidden="true" />
              Rename
            </DropdownMenuItem>
          ) : null}
          {canRename ? (
            <DropdownMenuItem onSelect={() => open("encryption")}>
              {room.encrypted ? <LockOpenIcon aria-hidden="true" /> : <LockIcon aria-hidden="true" />}
              {room.encrypted ? "Turn off end-to-end encryption" : "Make end-to-end encrypted"}
            </DropdownMenuItem>
          ) : null}
          {canRename && canDelete ? <DropdownMenuSeparator /> : null}
          {canDelete ? (
            <DropdownMenuItem variant="destructive" onSelect={() => open("delete")}>
              <Trash2Icon aria-hidden="true" />
              Delete room
            </DropdownMenuItem>
          ) : null}
        </DropdownMenuContent>
      </DropdownMenu>
      {/* Mounted while open, so each opening starts from the room's current name and no old error. */}
      {dialog === "rename" ? <RenameRoomDialog teamSlug={teamSlug} room={room} onClose={close} /> : null}
      {dialog === "encryption" ? <EncryptionDialog teamSlug={teamSlug} room={room} onClose={close} /> : null}
      {dialog === "delete" ? <DeleteRoomDialog teamSlug={teamSlug} room={room} onClose={close} /> : null}
    </>
  );
}

/** Each of the room menu's dialogs: mounted while open, closed through `onClose`. */
interface RoomDialogProps {
  teamSlug: string;
  room: Room;
  onClose: () => void;
}

function RenameRoomDialog({ teamSlug, room, onClose }: RoomDialogProps) {
  const utils = api.useUtils();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(room.name);
  const errors = useFormErrors();
  const rename = api.room.rename.useMutation({
    onSuccess: async (renamed) => {
      await utils.room.list.invalidate({ teamSlug });
      onClose();
      toast.success(`Renamed to ${renamed.name}`);
    },
    onError: errors.fromServer,
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(renameRoomInput, { teamSlug, roomSlug: room.slug, name });
    if (!checked.ok) {
      errors.fromClient(checked.fieldErrors);
      return;
    }
    errors.reset();
    rename.mutate(checked.data);
  }

  return (
    <Dialog open onOpenChange={(next) => (!next && !rename.isPending ? onClose() : undefined)}>
      <DialogContent
        className="sm:max-w-md"
        onOpenAutoFocus={(event) => {
          // The name field, ready to type over, however the dialog was opened.
          event.preventDefault();
          const field = formRef.current?.querySelector<HTMLInputElement>("input[name=name]");
          field?.focus();
          field?.select();
        }}
      >
        <form
          method="post"
          ref={formRef}
          noValidate
          onSubmit={onSubmit}
          className="grid gap-5"
          aria-label="Rename room"
        >
          <DialogHeader>
            <DialogTitle>Rename room</DialogTitle>
            <DialogDescription>
              The link stays the same, so saved links and invites keep working.
            </DialogDescription>
          </DialogHeader>
          {rename.isPending ? null : <FormAlert error={rename.error} />}
          <FormField
            label="Room name"
            name="name"
            autoComplete="off"
            autoFocus
            maxLength={256}
            value={name}
            onChange={(event) => {
              setName(event.target.value);
              errors.clear("name");
            }}
            error={errors.of("name")}
          />
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline" disabled={rename.isPending}>
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" pending={rename.isPending}>
              {rename.isPending ? "Saving…" : "Save"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function DeleteRoomDialog({ teamSlug, room, onClose }: RoomDialogProps) {
  const utils = api.useUtils();
  const remove = api.room.delete.useMutation({
    onSuccess: async () => {
      await utils.room.list.invalidate({ teamSlug });
      onClose();
      toast.success(`${room.name} was deleted`);
    },
  });
  return (
    <ConfirmDialog
      open
      onOpenChange={(next) => (next ? undefined : onClose())}
      title={`Delete ${room.name}?`}
      description="Anyone in it now is disconnected, and its link stops working. This can't be undone."
      confirmLabel="Delete room"
      pendingLabel="Deleting…"
      pending={remove.isPending}
      error={remove.error}
      onConfirm={() => remove.mutate({ teamSlug, roomSlug: room.slug })}
    />
  );
}

/** Turns end-to-end encryption on or off; the server refuses while anyone is in the call. */
function EncryptionDialog({ teamSlug, room, onClose }: RoomDialogProps) {
  const utils = api.useUtils();
  const turnOn = !room.encrypted;
  const change = api.room.setEncrypted.useMutation({
    onSuccess: async () => {
      await utils.room.list.invalidate({ teamSlug });
      onClose();
      toast.success(
        turnOn
          ? `${room.name} is now end-to-end encrypted`
          : `${room.name} is no longer end-to-end encrypted`,
      );
    },
  });
  return (
    <ConfirmDialog
      open
      onOpenChange={(next) => (next ? undefined : onClose())}
      title={turnOn ? `Make ${room.name} end-to-end encrypted?` : `Turn off encryption in ${room.name}?`}
      description={
        turnOn
          ? "Video, audio and chat will be encrypted in each browser with a passphrase that Parlor's server never sees: share it in the invite link (copy it from the room's page) or tell people. Chat in this room is no longer saved, and browsers that cannot encrypt cannot join. Parlor still knows who meets and when."
          : "Calls in this room will be encrypted only on the way to and from the video server again, and chat will be saved as in other rooms."
      }
      confirmLabel={turnOn ? "Encrypt room" : "Turn off encryption"}
      pendingLabel="Saving…"
      destructive={!turnOn}
      pending={change.isPending}
      error={change.error}
      onConfirm={() => change.mutate({ teamSlug, roomSlug: room.slug, encrypted: turnOn })}
    />
  );
}
