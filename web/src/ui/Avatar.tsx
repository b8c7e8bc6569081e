import { useState } from 'react';
import { hueFor, initials, safeImageUrl } from '../presence/presenceState';

export function Avatar({
  id,
  name,
  url,
  size = 28,
  testId,
  title,
}: {
  id: string;
  name: string;
  /** The user's picture; the initials are shown without one, or when it cannot be loaded. */
  url?: string | null;
  size?: number;
  testId?: string;
  title?: string;
}) {
  const hue = hueFor(id);
  const src = safeImageUrl(url);
  const [failed, setFailed] = useState<string | null>(null);
  const showImage = src !== null && failed !== src;
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
        background: `hsl(${hue} 55% 90%)`,
        color: `hsl(${hue} 60% 22%)`,
      }}
    >
      {showImage ? (
        <img
          className="avatar-img"
          src={src}
          alt=""
          width={size}
          height={size}
          referrerPolicy="no-referrer"
          onError={() => setFailed(src)}
        />
      ) : (
        initials(name || '?')
      )}
    </span>
  );
}
