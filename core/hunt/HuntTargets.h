#pragma once

#include <QString>
#include <QStringList>

namespace ll::hunt {

/**
 * What a hunt runs over. Each target is a reference ("host/repo:tag", "repo@sha256:..."), or with allTags a
 * repository without a tag (all its tags), or with catalog a bare "host[:port]" (every repository of that
 * registry, then their tags). Targets files hold one target a line ('#' comments, blank lines ignored).
 */
struct HuntTargets {
    QStringList targets;
    bool allTags = false; // a reference without tag or digest: every tag of its repository
    bool catalog = false; // a bare host[:port]: every repository (then every tag) of that registry
    QString tagGlob; // only tags matching (PathGlob syntax); empty: all
    int maxTags = -1; // per repository, newest first (see TargetExpandJob); -1: all
    QStringList includeRepos; // catalog: repositories matching any of these (empty: all)
    QStringList excludeRepos; // catalog: minus those matching any of these
    int pageSize = 100;

    /** The targets of a targets file's text (one a line, "#" starts a comment). */
    static QStringList parseTargetsText(const QString &text);
};

} // namespace ll::hunt
