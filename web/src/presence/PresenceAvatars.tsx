import type { Member, User } from '../api/types';
import { Avatar } from '../ui/Avatar';
import { presentPerson, type PresenceState } from './presenceState';

export function PresenceAvatars({ presence, members, me }: { presence: PresenceState; members: Member[]; me: User }) {
  const ids = Object.keys(presence);
  const sorted = [me.id, ...ids.filter((id) => id !== me.id)];
  const shown = sorted.slice(0, 5);
  const more = sorted.length - shown.length;
  return (
    <div className="presence" data-testid="presence" aria-label={`${sorted.length} here now`}>
      {shown.map((id) => {
        const { name, avatarUrl } = presentPerson(id, presence, members, me);
        return (
          <span key={id} className="presence-item">
            <Avatar
              id={id}
              name={name}
              url={avatarUrl}
              size={30}
              testId={`presence-avatar-${id}`}
              title={id === me.id ? `${name} (you)` : `${name} is here`}
            />
          </span>
        );
      })}
      {more > 0 && <span className="presence-more">+{more}</span>}
    </div>
  );
}
