#pragma once

#include "browse/PagedListing.h"
#include "common/Error.h"
#include "common/Job.h"

#include <QPointer>
#include <QString>

#include <memory>
#include <vector>

namespace ll::ui {

/**
 * One row of the registry navigator's tree (a plain struct: the model owns the tree). Each node knows its
 * parent and its row, so index()/parent() are O(1).
 */
struct NavigatorNode {
    enum class Kind {
        Root,
        Registry, // children: its repositories (the catalog, paged), typed ones
        Repository, // children: its tags (paged, newest first)
        Tag, // children: its platforms (read on expand)
        Platform, // one image manifest of a tag
        Message, // a state said in the tree: refused catalog, sign-in needed, a tag gone, a listing cut short
        TypeRepository, // an editable row: type a repository name
        SeenRoot, // "Images seen before"
        SeenImage,
    };
    enum class Load { Idle, Loading, Done, Failed };

    Kind kind = Kind::Root;
    QString name; // shown; for a registry its host ("registry-1.docker.io")
    QString detail; // second column
    QString digest; // tag: what it names; platform / seen image: the manifest
    QString platform; // platform / seen image: "linux/arm64/v8"
    QString reference; // seen image: its canonical reference
    QByteArray document; // tag: its manifest or index as served
    bool isError = false; // message rows: red
    Error refusal; // message rows: the registry refused access (Unauthorized/Forbidden): sign in, then retry
    NavigatorNode *parent = nullptr;
    int row = 0;
    std::vector<std::unique_ptr<NavigatorNode>> children;

    Load load = Load::Idle;
    bool listingStarted = false;
    bool wantAll = false; // list page after page until the end (fetchAll)
    browse::PagedListing listing;
    QPointer<Job> job;

    NavigatorNode *add(std::unique_ptr<NavigatorNode> child)
    {
        child->parent = this;
        child->row = int(children.size());
        children.push_back(std::move(child));
        return children.back().get();
    }
    void renumber()
    {
        for (size_t i = 0; i < children.size(); ++i)
            children[i]->row = int(i);
    }
    /** The ancestor of this kind (or this node), null when none. */
    const NavigatorNode *ancestor(Kind k) const
    {
        const NavigatorNode *n = this;
        while (n && n->kind != k)
            n = n->parent;
        return n;
    }
};

} // namespace ll::ui
