using CameraHub.CameraRegistry.Access;
using CameraHub.CameraRegistry.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CameraHub.CameraRegistry.Identity;

/// <summary>Creates, disables and lists local accounts, auditing each change.</summary>
public sealed class UserAccounts(UserManager<HubUser> users, RoleManager<IdentityRole> roles, IAuditLog audit, AccessChangeFeed feed, TimeProvider time)
{
    /// <summary>Makes sure every role of DESIGN.md exists.</summary>
    public async Task EnsureRolesAsync()
    {
        foreach (var role in HubRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
    }

    /// <summary>Creates a user with one role; errors are Identity's own messages (password policy, duplicate name).</summary>
    public async Task<(HubUser? User, IReadOnlyList<string> Errors)> CreateAsync(
        string userName, string password, string role, string? organisationId, string? displayName, string actor, CancellationToken ct)
    {
        if (!HubRoles.All.Contains(role))
        {
            return (null, [$"unknown role '{role}'; roles are {string.Join(", ", HubRoles.All)}"]);
        }

        if (role == HubRoles.CameraOwner && string.IsNullOrWhiteSpace(organisationId))
        {
            return (null, ["a CameraOwner must be bound to an organisation"]);
        }

        await EnsureRolesAsync();
        var user = new HubUser { UserName = userName, DisplayName = displayName, OrganisationId = organisationId, CreatedAtUtc = time.GetUtcNow().UtcDateTime };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return (null, [.. created.Errors.Select(e => e.Description)]);
        }

        await users.AddToRoleAsync(user, role);
        await audit.AppendAsync(new AuditEvent(AuditAction.UserCreated, AuditOutcome.Allowed, actor, Details: $"{userName} as {role}{(organisationId is null ? string.Empty : $" of {organisationId}")}", SubjectType: "user", SubjectId: userName), ct);
        return (user, []);
    }

    /// <summary>Disables a user: no more sign-ins, and open streams are re-checked (and end).</summary>
    public async Task<bool> SetDisabledAsync(string userName, bool disabled, string actor, CancellationToken ct)
    {
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            return false;
        }

        user.Disabled = disabled;
        await users.UpdateAsync(user);
        await users.UpdateSecurityStampAsync(user);
        await audit.AppendAsync(new AuditEvent(disabled ? AuditAction.UserDisabled : AuditAction.UserChanged, AuditOutcome.Allowed, actor,
            Details: disabled ? $"{userName} disabled" : $"{userName} enabled", SubjectType: "user", SubjectId: userName), ct);
        if (disabled)
        {
            await feed.PublishAsync(new AccessChanged(userName, null, $"user {userName} disabled by {actor}"));
        }

        return true;
    }

    /// <summary>Every account with its roles.</summary>
    public async Task<IReadOnlyList<UserView>> ListAsync(CancellationToken ct)
    {
        var all = await users.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct);
        var result = new List<UserView>(all.Count);
        foreach (var u in all)
        {
            result.Add(new UserView(u.UserName!, u.DisplayName, u.OrganisationId, [.. await users.GetRolesAsync(u)], u.Disabled,
                u.LockoutEnd is { } end && end > time.GetUtcNow()));
        }

        return result;
    }
}

/// <summary>An account as the API shows it.</summary>
public sealed record UserView(string UserName, string? DisplayName, string? OrganisationId, IReadOnlyList<string> Roles, bool Disabled, bool LockedOut);

/// <summary>What an administrator sends to create an account.</summary>
public sealed record UserInput(string? UserName, string? Password, string? Role, string? OrganisationId, string? DisplayName);
