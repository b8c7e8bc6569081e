import { hueFor, initials } from '../presence/presenceState';

export function Avatar({
  id,
  name,
  size = 28,
  testId,
  title,
}: {
  id: string;
  name: string;
  size?: number;
  testId?: string;
  title?: string;
}) {
  const hue = hueFor(id);
  return (
    <span
      className="avatar"
      data-testid={testId}
      title={title ?? name}
      aria-label={title ?? name}
      style={{
        width: size,
        height: size,
        fontSize: Math.round(size * 0.4),
        background: `hsl(${hue} 55% 88%)`,
        color: `hsl(${hue} 60% 28%)`,
      }}
    >
      {initials(name || '?')}
    </span>
  );
}
