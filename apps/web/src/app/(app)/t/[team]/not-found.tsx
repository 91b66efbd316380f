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
          It may have been renamed or deleted, or you're not a member of it. If someone sent you this link,
          ask them for an invite.
        </p>
      </EmptyState>
    </PageContainer>
  );
}
