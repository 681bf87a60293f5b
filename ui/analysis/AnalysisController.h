#pragma once

#include "analysis/AnalysisJob.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

namespace ll::ui {

class ImageController;

/**
 * Computes what each layer changed and the image's efficiency (analysis::AnalysisJob, on a worker thread) once
 * every layer of the open image is listed, and drops it when the image closes (the analysis points into its
 * layer trees: a running job is stopped and waited for before they go). A layer that failed or was cancelled
 * leaves the image without an analysis (isAvailable() false).
 */
class AnalysisController : public QObject
{
    Q_OBJECT
public:
    explicit AnalysisController(ImageController *image, QObject *parent = nullptr);
    ~AnalysisController() override;

    /** Where the analysis job is shown (the jobs panel); optional. */
    void setTracker(std::function<void(Job *)> tracker) { m_tracker = std::move(tracker); }

    bool isAvailable() const { return m_result != nullptr; }
    bool isRunning() const { return m_job != nullptr; }
    /** Only while isAvailable(). */
    const analysis::ImageAnalysis &analysis() const { return m_result->analysis; }
    /** The changes of one layer as a tree; nullptr when not available. */
    const analysis::ChangeTree *changeTree(int layer) const;

signals:
    /** The analysis appeared or went away. */
    void changed();

private:
    void compute();
    void clear();
    void onFinished();

    ImageController *m_image;
    std::function<void(Job *)> m_tracker;
    QPointer<analysis::AnalysisJob> m_job;
    std::shared_ptr<const analysis::AnalysisResult> m_result;
};

} // namespace ll::ui
