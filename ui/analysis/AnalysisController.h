#pragma once

#include "analysis/ImageAnalysis.h"

#include <QObject>

#include <optional>

namespace ll::ui {

class ImageController;

/**
 * Computes what each layer changed and the image's efficiency (analysis::ImageAnalysis) once every layer of
 * the open image is listed, and drops it when the image closes (the analysis points into its layer trees).
 * A layer that failed or was cancelled leaves the image without an analysis (isAvailable() false).
 */
class AnalysisController : public QObject
{
    Q_OBJECT
public:
    explicit AnalysisController(ImageController *image, QObject *parent = nullptr);

    bool isAvailable() const { return m_analysis.has_value(); }
    /** Only while isAvailable(). */
    const analysis::ImageAnalysis &analysis() const { return *m_analysis; }

signals:
    /** The analysis appeared or went away. */
    void changed();

private:
    void compute();
    void clear();

    ImageController *m_image;
    std::optional<analysis::ImageAnalysis> m_analysis;
};

} // namespace ll::ui
