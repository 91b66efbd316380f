import { Button } from "@parlor/ui/button";
import { ArrowLeftIcon, SearchXIcon } from "lucide-react";
import Link from "next/link";

import { EmptyState, PageContainer } from "@/components/page";

export default function TeamNotFound() {
  return (
    <PageContainer className="max-w-2xl py-16">
      <EmptyState
        icon={<SearchXIcon aria-hidden="true" />}
        title="We couldn't find that team"
        action={
          <Button asChild variant="outline">
            <Link href="/">
              <ArrowLeftIcon aria-hidden="true" />
              Back to your teams
            </Link>
          </Button>
        }
      >
        <p>
          Either no team has this address, or you&apos;re not a member of it (a team&apos;s address never
          changes). If someone sent you this link, ask them for an invite link.
        </p>
      </EmptyState>
    </PageContainer>
  );
}
