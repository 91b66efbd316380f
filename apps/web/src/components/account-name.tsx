/**
 * The account behind a name someone chose for a call, shown beside it when the two differ, so a
 * chosen name ("Alice (Owner)") cannot pass for someone else.
 */
export function AccountName({ chosen, account }: { chosen: string; account: string | null | undefined }) {
  if (!account || account.trim() === chosen.trim()) return null;
  return (
    <span className="font-normal text-muted-foreground" title="The name on this person's account">
      {" "}
      · <bdi>{account}</bdi>
    </span>
  );
}
