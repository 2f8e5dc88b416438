/** Dark enough for white initials (at least 4.5:1). */
const COLORS = ["#1d5fbf", "#b4235a", "#0f6e4f", "#7a3fb8", "#a34a09", "#2f5f7a", "#8a2f2f"];

export function initials(displayName: string, handle: string): string {
  const words = displayName
    .trim()
    .split(/\s+/u)
    .filter((word) => word !== "");
  const letters =
    words.length >= 2
      ? [words[0], words[words.length - 1]].map((word) => [...(word ?? "")][0] ?? "").join("")
      : [...(words[0] ?? handle)].slice(0, 1).join("");
  return (letters === "" ? "?" : letters).toUpperCase();
}

export function avatarColor(id: string): string {
  // FNV-1a: spreads short ids (alice, bob, …) over the colours better than a plain sum.
  let hash = 2166136261;
  for (const char of id) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16777619) >>> 0;
  return COLORS[hash % COLORS.length] ?? "#1d5fbf";
}

/** Initials on a colour of the user's own; decorative beside the name it stands for. */
export function Avatar({
  user,
  size = "medium",
}: {
  user: { id: string; handle: string; displayName: string };
  size?: "small" | "medium" | "large";
}) {
  return (
    <span
      className={`avatar avatar-${size}`}
      style={{ background: avatarColor(user.id) }}
      aria-hidden="true"
    >
      {initials(user.displayName, user.handle)}
    </span>
  );
}
